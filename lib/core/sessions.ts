import type { AccountConfig } from '../config';
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type HttpSettings, MAX_RETRY_AFTER_MS, type RetryPolicy } from '../http/client';
import { TokenBucket } from '../http/rate-limiter';
import { shareOfRateLimit } from '../http/rate-share';
import type { Capabilities, ProviderAdapter, ProviderKey, ProviderSession, ProviderTask } from '../providers/types';
import { ConfigError, ProviderError } from './errors';
import { redactText, rememberSecretValues } from './redaction';
import type { SecretSource } from './secrets';

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
}

/**
 * Opens provider sessions lazily, one per account, each with its own rate limiter shared by every call
 * for that account in this process. Secrets are fetched on first use, and fetched again once after the
 * provider rejected them (a rotated secret), never in a loop.
 */
export class AccountSessions {
  private readonly handles = new Map<string, AccountHandle>();
  private readonly sessions = new Map<string, Promise<{ session: ProviderSession; secret: string }>>();
  private readonly limiters = new Map<string, TokenBucket>();
  private readonly refreshed = new Set<string>();
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
      this.handles.set(config.name, { config, adapter, capabilities });
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

  async session(name: string): Promise<ProviderSession> {
    return (await this.open(name)).session;
  }

  /**
   * The provider refused our credentials: fetch the secret once more. Returns true when a different secret
   * came back (worth one more try), false when it is the same one or was already refreshed in this run.
   */
  async refreshAfterAuthFailure(name: string): Promise<boolean> {
    const handle = this.requireHandle(name);
    if (this.refreshed.has(name)) return false;
    this.refreshed.add(name);
    const before = (await this.open(name)).secret;
    this.secrets.invalidate(handle.config.secret);
    this.sessions.delete(name);
    const after = (await this.open(name)).secret;
    return after !== before;
  }

  private open(name: string): Promise<{ session: ProviderSession; secret: string }> {
    let opened = this.sessions.get(name);
    if (!opened) {
      const handle = this.requireHandle(name);
      opened = this.secrets.get(handle.config.secret).then((secret) => {
        // Every credential in it is redacted wherever it might be quoted (logs, errors, DLQ bodies) from now on.
        rememberSecretValues(secret);
        return {
          session: redactingSession(handle.adapter.open({ account: handle.config, secret, http: this.httpSettings(handle) })),
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
      const { perSecond, burst } = handle.capabilities.rateLimit;
      limiter = new TokenBucket(perSecond, burst);
      this.limiters.set(handle.config.name, limiter);
    }
    return {
      timeoutMs: handle.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: this.options.retry ?? DEFAULT_RETRY,
      limiter,
      sleep: this.options.sleep,
      maxWaitMs: () => Math.min(MAX_RETRY_AFTER_MS, (this.stopBy ?? Number.POSITIVE_INFINITY) - Date.now()),
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
    rateLimit: shareOfRateLimit(account.rateLimit ?? base.rateLimit, runners),
  };
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
