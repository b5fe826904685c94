import { ConfigError } from '../../core/errors';
import { HuaweiClient, huaweiBaseUrl, parseHuaweiSecret } from '../huawei/client';
import { type Capabilities, type ProviderAdapter, secretRefOf } from '../types';
import { classifyOmsCode } from './error-codes';
import { createOmsSession } from './session';

export const OMS_CAPABILITIES: Capabilities = {
  batchLimit: 1,
  confirm: { intervalMs: 3_000, deadlineMs: 180_000 },
  // No OMS rate limit is published: stay well under the gateway's throttling.
  rateLimit: { perSecond: 5, burst: 5 },
  describe: 'OMS: stop (2 → 7 → 3), start again with the task keys from the secret',
};

/** Huawei Cloud OMS object migration (providers.md §2). */
export const huaweiOmsAdapter: ProviderAdapter = {
  key: 'huawei-oms',
  capabilities: OMS_CAPABILITIES,
  open({ account, secret, http }) {
    const credentials = parseHuaweiSecret(secret, secretRefOf(account));
    const projectId = account.projectId ?? credentials.projectId;
    if (projectId === undefined) throw new ConfigError(`account ${account.name} has no projectId`);
    const client = new HuaweiClient({
      provider: 'huawei-oms',
      baseUrl: huaweiBaseUrl('oms', account),
      projectId,
      credentials,
      http,
      classifyCode: classifyOmsCode,
    });
    return createOmsSession({ accountName: account.name, projectId, secret, secretRef: secretRefOf(account), client });
  },
};
