import { type Capabilities, type ProviderAdapter, secretRefOf } from '../types';
import { NcpClient, ncpBaseUrl, parseNcpSecret } from './client';
import { createNcpSession } from './session';

export const NCP_CAPABILITIES: Capabilities = {
  batchLimit: 1,
  confirm: { intervalMs: 2_000, deadlineMs: 120_000 },
  // NCP publishes no rate limit for Object Migration: stay conservative (configurable per account).
  rateLimit: { perSecond: 5, burst: 5 },
  describe: 'NCP Object Migration: pause, resume with start (one call per job)',
};

/** NAVER Cloud Object Migration (providers.md §1). */
export const ncpObjectMigrationAdapter: ProviderAdapter = {
  key: 'ncp-object-migration',
  capabilities: NCP_CAPABILITIES,
  open({ account, secret, http }) {
    const credentials = parseNcpSecret(secret, secretRefOf(account));
    const client = new NcpClient({ baseUrl: ncpBaseUrl(account), region: account.region, credentials, http });
    return createNcpSession({ accountName: account.name, client });
  },
};
