import type { AccountConfig } from '../config';
import { AdaptiveLimiter } from '../http/adaptive-limiter';
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type HttpSettings, type RetryPolicy } from '../http/client';
import { type RateLimit, shareOfRateLimit, UNCAPPED_RATE } from '../http/rate-share';
import type { ActionResult, Capabilities, ProviderAdapter, ProviderKey, ProviderSession, ProviderTask } from '../providers/types';
import { ConfigError, ProviderError } from './errors';
import { redactText, rememberSecretValues } from './redaction';
import type { SecretSource } from './secrets';

interface OpenedSession {
  session: ProviderSession;
  secret: string;
}

const actionRefusals = (results: readonly ActionResult[]): ProviderError[] => results.flatMap((r) => (r.ok ? [] : [r.error]));

export type AdapterRegistry = Readonly<Record<ProviderKey, ProviderAdapter>>;

export interface SessionOptions {
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Processes that may call one account of the provider at the same time (AWS: its work queue's maximum
   * concurrency + 1, see lib/http/rate-share.ts). This process takes only its share of each account's rate limit.
   * Default 1: the whole limit.
   */
  runners?: Partial<Record<ProviderKey, number>>;
}

/** One configured account with what the pipeline needs to act on it. */
export interface AccountHandle {
  config: AccountConfig;
  adapter: ProviderAdapter;
  /**
   * The adapter's capabilities with the account's overrides applied (batch size, confirm timing, rate); the rate
   * limit is this process's share of the account's.
   */
  capabilities: Capabilities;
  /** The rate the account is sent at now in this process (requests/s): what its adaptive limiter has learned. */
  currentRate: () => number;
}

/**
 * Opens provider sessions lazily, one per account, each with its own rate limiter shared by every call
 * for that account in this process. Secrets are fetched on first use, and fetched again once after the
 * provider rejected them (a rotated secret), never in a loop.
 */
export class AccountSessions {
  private readonly handles = new Map<string, AccountHandle>();
  private readonly sessions = new Map<string, Promise<OpenedSession>>();
  private readonly limiters = new Map<string, AdaptiveLimiter>();
  /** Per account, the one refetch of its secret this run makes after an auth refusal: whether a new secret came. */
  private readonly refreshes = new Map<string, Promise<boolean>>();
  /** Accounts whose credentials stay refused: every call fails with this at once, without a request. */
  private readonly cutOff = new Map<string, ProviderError>();
  /** Epoch ms after which no provider call starts (the run's stopBy): no Retry-After is waited for past it. */
  private stopBy?: number;

  constructor(
    accounts: readonly AccountConfig[],
    registry: AdapterRegistry,
    private readonly secrets: SecretSource,
    private readonly options: SessionOptions = {},
  ) {
    for (const config of accounts) {
      const adapter = registry[config.provider];
      if (!adapter) throw new ConfigError(`account ${config.name}: no adapter for provider ${config.provider}`);
      const capabilities = effectiveCapabilities(adapter.capabilities, config, options.runners?.[config.provider]);
      const currentRate = () => this.limiters.get(config.name)?.perSecond ?? capabilities.rateLimit.perSecond;
      this.handles.set(config.name, { config, adapter, capabilities, currentRate });
    }
  }

  /** The run's stopBy: a provider's Retry-After is never waited for past it (nor longer than a minute). */
  stopWaitingAt(stopBy: number | undefined): void {
    this.stopBy = stopBy;
  }

  all(): AccountHandle[] {
    return [...this.handles.values()];
  }

  handle(name: string): AccountHandle | undefined {
    return this.handles.get(name);
  }

  /**
   * The account's session for this run. Each call goes to the session of the account's latest secret (after a
   * refetch, every chunk in flight uses the new one), and stops at the account's cutoff: once the provider has
   * refused credentials that a refetch did not cure, no call of this run reaches the account again — Huawei locks a
   * key for five minutes after five bad signatures, and that lock would hit every worker using it.
   */
  async session(name: string): Promise<ProviderSession> {
    const cut = this.cutOff.get(name);
    if (cut) throw cut;
    await this.open(name);
    const call = async <T>(use: (session: ProviderSession) => Promise<T>, refusals: (result: T) => ProviderError[]) => {
      const cutNow = this.cutOff.get(name);
      if (cutNow) throw cutNow;
      const opened = await this.open(name);
      let result: T;
      try {
        result = await use(opened.session);
      } catch (error) {
        if (error instanceof ProviderError && error.errorClass === 'auth') await this.authRefused(name, opened, error);
        throw error;
      }
      const refused = refusals(result).find((e) => e.errorClass === 'auth');
      if (refused) await this.authRefused(name, opened, refused);
      return result;
    };
    return {
      list: () =>
        call(
          (s) => s.list(),
          () => [],
        ),
      get: (ids) =>
        call(
          (s) => s.get(ids),
          (read) => [...read.values()].filter((v) => v instanceof ProviderError),
        ),
      pause: (tasks, options) => call((s) => s.pause(tasks, options), actionRefusals),
      resume: (tasks, options) => call((s) => s.resume(tasks, options), actionRefusals),
    };
  }

  /**
   * The provider refused our credentials: fetch the secret once more. Returns true when a different secret came back
   * (worth one more try) and it has not been refused since; false when it is the same one, or it too was refused.
   */
  async refreshAfterAuthFailure(name: string): Promise<boolean> {
    if (this.cutOff.has(name)) return false;
    let refresh = this.refreshes.get(name);
    if (!refresh) {
      refresh = this.refetch(name);
      this.refreshes.set(name, refresh);
    }
    return (await refresh) && !this.cutOff.has(name);
  }

  private async refetch(name: string): Promise<boolean> {
    const handle = this.requireHandle(name);
    const before = (await this.open(name)).secret;
    // An account without a secret takes its credentials from the environment: there is nothing to fetch again.
    if (handle.config.secret === undefined) return false;
    this.secrets.invalidate(handle.config.secret);
    this.sessions.delete(name);
    const after = (await this.open(name)).secret;
    return after !== before;
  }

  /** A refusal of the credentials `opened` used: refetch once; refused again, or no new secret, cut the account off. */
  private async authRefused(name: string, opened: OpenedSession, error: ProviderError): Promise<void> {
    if (this.cutOff.has(name)) return;
    const current = await this.sessions.get(name)?.catch(() => undefined);
    // A refusal of a secret already replaced says nothing about the new one.
    if (current && current !== opened) return;
    if (!this.refreshes.has(name) && (await this.refreshAfterAuthFailure(name).catch(() => false))) return;
    this.cutOff.set(
      name,
      new ProviderError(
        `account ${name}: the provider refused its credentials, and fetching the secret again did not help (${error.message}); no more calls to this account in this run`,
        { errorClass: 'auth', provider: error.provider, ...(error.providerCode ? { providerCode: error.providerCode } : {}) },
      ),
    );
  }

  private open(name: string): Promise<OpenedSession> {
    let opened = this.sessions.get(name);
    if (!opened) {
      const handle = this.requireHandle(name);
      const ref = handle.config.secret;
      const fetched = ref === undefined ? Promise.resolve({}) : this.secrets.get(ref);
      opened = fetched.then((secret) => {
        // Every credential in it is redacted wherever it might be quoted (logs, errors, DLQ bodies) from now on.
        rememberSecretValues(secret);
        return {
          session: redactingSession(
            handle.adapter.open({
              account: handle.config,
              secret,
              http: this.httpSettings(handle),
              batchLimit: handle.capabilities.batchLimit,
            }),
          ),
          // Compared, never shown: tells a rotated secret from the same one.
          secret: JSON.stringify(secret),
        };
      });
      this.sessions.set(name, opened);
      opened.catch(() => this.sessions.delete(name));
    }
    return opened;
  }

  private httpSettings(handle: AccountHandle): HttpSettings {
    let limiter = this.limiters.get(handle.config.name);
    if (!limiter) {
      const { perSecond, burst, max } = handle.capabilities.rateLimit;
      limiter = new AdaptiveLimiter({ perSecond, burst, ceiling: max ?? UNCAPPED_RATE });
      this.limiters.set(handle.config.name, limiter);
    }
    return {
      timeoutMs: handle.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: this.options.retry ?? DEFAULT_RETRY,
      limiter,
      sleep: this.options.sleep,
      timeLeftMs: () => (this.stopBy ?? Number.POSITIVE_INFINITY) - Date.now(),
    };
  }

  private requireHandle(name: string): AccountHandle {
    const handle = this.handles.get(name);
    if (!handle) throw new ConfigError(`unknown account ${name}`);
    return handle;
  }
}

/** The adapter's capabilities with the account's overrides, and this process's share of the rate (`runners`). */
export function effectiveCapabilities(base: Capabilities, account: AccountConfig, runners = 1): Capabilities {
  return {
    ...base,
    batchLimit: Math.min(base.batchLimit, account.batchSize ?? base.batchLimit),
    confirm: account.confirm ?? base.confirm,
    rateLimit: shareOfRateLimit(accountRateLimit(base.rateLimit, account.rateLimit), runners),
  };
}

/**
 * The account's rate limit: its own fields over the adapter's defaults. A `perSecond` tuned by hand without a `max` is
 * also the ceiling — someone found that rate by hand, and accounts files written before the adaptive limiter meant
 * it as the limit: the limiter still cuts on a throttle, but climbs back no higher. Set `max` above it to look further.
 */
export function accountRateLimit(base: RateLimit, configured: AccountConfig['rateLimit']): RateLimit {
  const max = configured?.max ?? configured?.perSecond ?? base.max;
  const perSecond = Math.min(configured?.perSecond ?? base.perSecond, max ?? Number.POSITIVE_INFINITY);
  return { perSecond, burst: configured?.burst ?? base.burst, ...(max === undefined ? {} : { max }) };
}

/**
 * Every string a provider hands back about a task (its name, state, details) redacted once, where it enters: from
 * here on it is stored, logged and returned as it is. Errors are redacted as they are made (ProviderError).
 */
function redactingSession(session: ProviderSession): ProviderSession {
  const task = (t: ProviderTask): ProviderTask => ({
    ...t,
    name: redactText(t.name),
    state: redactText(t.state),
    ...(t.resumeUnsupportedReason === undefined ? {} : { resumeUnsupportedReason: redactText(t.resumeUnsupportedReason) }),
    ...(t.details === undefined
      ? {}
      : {
          details: Object.fromEntries(
            Object.entries(t.details).map(([key, value]) => [key, typeof value === 'string' ? redactText(value) : value]),
          ),
        }),
  });
  return {
    list: async () => (await session.list()).map(task),
    get: async (ids) =>
      new Map([...(await session.get(ids))].map(([id, value]) => [id, value instanceof ProviderError ? value : task(value)])),
    pause: (tasks, options) => session.pause(tasks, options),
    resume: (tasks, options) => session.resume(tasks, options),
  };
}
