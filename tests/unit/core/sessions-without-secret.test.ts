import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../lib/config';
import { ProviderError } from '../../../lib/core/errors';
import type { SecretSource } from '../../../lib/core/secrets';
import { AccountSessions, type AdapterRegistry } from '../../../lib/core/sessions';
import { adapters } from '../../../lib/providers/registry';
import type { ProviderAdapter, SessionContext } from '../../../lib/providers/types';

/** A DMS stand-in that records what it was opened with and refuses every call as auth. */
function recordingAdapter(opened: SessionContext[]): ProviderAdapter {
  const refuse = async (): Promise<never> => {
    throw new ProviderError('refused', { errorClass: 'auth', provider: 'aws-dms' });
  };
  return {
    key: 'aws-dms',
    capabilities: adapters['aws-dms'].capabilities,
    open(context) {
      opened.push(context);
      return { list: refuse, get: refuse, pause: refuse, resume: refuse };
    },
  };
}

function countingSecrets(): SecretSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get: async (ref) => {
      asked.push(ref);
      return {};
    },
    invalidate: () => {},
  };
}

describe('an account that names no secret (AWS DMS, default credential chain)', () => {
  it('opens its session with an empty secret, asks no secret source, and is cut off after one auth refusal', async () => {
    const opened: SessionContext[] = [];
    const secrets = countingSecrets();
    const registry: AdapterRegistry = { ...adapters, 'aws-dms': recordingAdapter(opened) };
    const accounts = parseAccounts({ accounts: [{ name: 'dms-main', provider: 'aws-dms', region: 'ap-northeast-2' }] }).accounts;
    const sessions = new AccountSessions(accounts, registry, secrets);

    const session = await sessions.session('dms-main');
    await expect(session.list()).rejects.toMatchObject({ errorClass: 'auth' });

    expect(secrets.asked).toEqual([]);
    expect(opened.map((c) => c.secret)).toEqual([{}]);
    // There is no secret to fetch again: the account is cut off for the run rather than retried.
    await expect(sessions.session('dms-main')).rejects.toThrow(/refused its credentials/);
  });
});
