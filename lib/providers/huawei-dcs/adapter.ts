import { ConfigError } from '../../core/errors';
import { HuaweiClient, huaweiBaseUrl, parseHuaweiSecret } from '../huawei/client';
import { type Capabilities, type ProviderAdapter, secretRefOf } from '../types';
import { classifyDcsCode } from './error-codes';
import { createDcsSession, DCS_BATCH_LIMIT } from './session';

export const DCS_CAPABILITIES: Capabilities = {
  batchLimit: DCS_BATCH_LIMIT,
  // DCS has no pause: stop terminates the migration, restart runs the online migration again.
  confirm: { intervalMs: 3_000, deadlineMs: 180_000 },
  // No DCS rate limit is published: stay well under the gateway's throttling.
  rateLimit: { perSecond: 5, burst: 5 },
  describe: 'DCS: stop, restart later — online migrations only',
};

/** Huawei Cloud DCS Redis data migration (providers.md §4). */
export const huaweiDcsAdapter: ProviderAdapter = {
  key: 'huawei-dcs',
  capabilities: DCS_CAPABILITIES,
  open({ account, secret, http }) {
    const credentials = parseHuaweiSecret(secret, secretRefOf(account));
    const projectId = account.projectId ?? credentials.projectId;
    if (projectId === undefined) throw new ConfigError(`account ${account.name} has no projectId`);
    const client = new HuaweiClient({
      provider: 'huawei-dcs',
      baseUrl: huaweiBaseUrl('dcs', account),
      projectId,
      credentials,
      http,
      classifyCode: classifyDcsCode,
    });
    return createDcsSession({ accountName: account.name, projectId, client });
  },
};
