import { type AccountsFile, parseAccounts } from '../lib/config';
import type { SecretSource } from '../lib/core/secrets';
import { manifestOf, PROVIDER_KEYS } from '../lib/providers/keys';

/**
 * The accounts of the scale benchmarks: 4 providers × 2 accounts whose endpoint nobody listens on — their adapters
 * are fakes that never make a request — and a secret source with nothing in it.
 */
export function fakeAccounts(prefix: string): AccountsFile {
  return parseAccounts({
    accounts: PROVIDER_KEYS.flatMap((provider, p) =>
      [1, 2].map((n) => ({
        name: `${prefix}-${p}-${n}`,
        provider,
        region: provider === 'ncp-object-migration' ? 'KR' : 'ap-southeast-1',
        ...((manifestOf(provider).requiredAccountFields as readonly string[]).includes('projectId')
          ? { projectId: `fakeproject${p}${n}` }
          : {}),
        endpoint: 'http://127.0.0.1:9',
        secret: `env:MP_${prefix.toUpperCase()}_FAKE_${p}_${n}`,
      })),
    ),
  });
}

export const noSecrets: SecretSource = { get: async () => ({}), invalidate: () => {} };
