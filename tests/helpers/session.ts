import { type AccountConfig, parseAccounts } from '../../lib/config';
import type { HttpSettings } from '../../lib/http/client';
import { TokenBucket } from '../../lib/http/rate-limiter';
import type { ProviderAdapter, ProviderSession, SessionContext } from '../../lib/providers/types';
import type { Simulator } from '../../sim';

export interface SessionOptions {
  /** Changes the account's secret (parsed JSON) before the session is opened, e.g. a wrong key. */
  editSecret?: (secret: Record<string, unknown>) => void;
  /** Overrides the quick test transport (2 s timeout, 3 attempts, 10–50 ms backoff, no real rate limit). */
  http?: Partial<HttpSettings>;
}

/** Quick transport settings for tests against the simulator: fast retries, a limiter that never waits. */
export function testHttpSettings(overrides: Partial<HttpSettings> = {}): HttpSettings {
  return {
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    limiter: new TokenBucket(1_000, 1_000),
    ...overrides,
  };
}

/** The account named `accountName` from the simulator's accounts file, parsed as the CLI would. */
export function simAccount(sim: Simulator, accountName: string): AccountConfig {
  const account = parseAccounts(sim.accountsFile()).accounts.find((a) => a.name === accountName);
  if (account === undefined) throw new Error(`the simulator has no account ${accountName}`);
  return account;
}

/** A SessionContext for one simulator account: its config, its secret (from `secretEnv`) and test transport. */
export function simSessionContext(sim: Simulator, accountName: string, options: SessionOptions = {}): SessionContext {
  const account = simAccount(sim, accountName);
  const envName = (account.secret ?? '').replace(/^env:/, '');
  const secretText = sim.secretEnv()[envName];
  if (secretText === undefined) throw new Error(`the simulator has no secret ${envName}`);
  const secret = JSON.parse(secretText) as Record<string, unknown>;
  options.editSecret?.(secret);
  return { account, secret, http: testHttpSettings(options.http) };
}

/** Opens `adapter` on one simulator account. */
export function openSimSession(
  adapter: ProviderAdapter,
  sim: Simulator,
  accountName: string,
  options: SessionOptions = {},
): { context: SessionContext; session: ProviderSession } {
  const context = simSessionContext(sim, accountName, options);
  return { context, session: adapter.open(context) };
}
