import { ConfigError } from '../../core/errors';
import { HuaweiClient, huaweiBaseUrl, parseHuaweiSecret } from '../huawei/client';
import { type Capabilities, type ProviderAdapter, secretRefOf } from '../types';
import { classifyDrsCode } from './error-codes';
import { createDrsSession } from './session';

export const DRS_CAPABILITIES: Capabilities = {
  // The maximum jobs per batch is not published: 20 by default; an account's batchSize can only lower it.
  batchLimit: 20,
  confirm: { intervalMs: 3_000, deadlineMs: 180_000 },
  // No DRS rate limit is published: stay well under the gateway's throttling.
  rateLimit: { perSecond: 5, burst: 5 },
  describe: 'DRS: batch pause (pause_mode target|all), resume with batch retry',
};

/** Huawei Cloud DRS database replication, v3 API (providers.md §3). */
export const huaweiDrsAdapter: ProviderAdapter = {
  key: 'huawei-drs',
  capabilities: DRS_CAPABILITIES,
  open({ account, secret, http, batchLimit }) {
    const credentials = parseHuaweiSecret(secret, secretRefOf(account));
    const projectId = account.projectId ?? credentials.projectId;
    if (projectId === undefined) throw new ConfigError(`account ${account.name} has no projectId`);
    const client = new HuaweiClient({
      provider: 'huawei-drs',
      baseUrl: huaweiBaseUrl('drs', account),
      projectId,
      credentials,
      http,
      classifyCode: classifyDrsCode,
    });
    return createDrsSession({
      accountName: account.name,
      projectId,
      batchLimit: batchLimit ?? DRS_CAPABILITIES.batchLimit,
      client,
    });
  },
};
