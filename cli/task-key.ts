import type { FieldIssue } from '../lib/core/errors';
import type { ProviderKey } from '../lib/providers/keys';
import { isProviderKey, unknownProvider } from './provider-flag';

export interface TaskKey {
  provider: ProviderKey;
  account: string;
  taskId: string;
}

/**
 * `provider/account/id`, the form status and history print, or an issue saying what is wrong with it (an
 * unknown provider with the nearest known one).
 */
export function parseTaskKey(flag: string, value: string): TaskKey | FieldIssue {
  const parts = value.split('/');
  const [provider = '', account = '', taskId = ''] = parts;
  if (parts.length !== 3 || !provider || !account || !taskId) {
    return { path: flag, message: `"${value}" is not provider/account/id (e.g. huawei-drs/hw-drs-sg/1a2b3c)` };
  }
  if (!isProviderKey(provider)) return unknownProvider(flag, provider);
  return { provider, account, taskId };
}

export function isTaskKey(parsed: TaskKey | FieldIssue): parsed is TaskKey {
  return 'taskId' in parsed;
}
