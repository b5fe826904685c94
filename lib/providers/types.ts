import type { AccountConfig } from '../config';
import type { ActionOptions } from '../core/command';
import type { ProviderError } from '../core/errors';
import type { HttpSettings } from '../http/client';
import type { RateLimit } from '../http/rate-share';

import type { ProviderKey } from './keys';

export { PROVIDER_KEYS, type ProviderKey } from './keys';

/**
 * Where a task stands, in the pipeline's words. Each adapter maps its provider's states onto these
 * (NCP STARTED, OMS 2, DRS INCRE_TRANSFER_STARTED, DCS MIGRATING → running).
 */
export type TaskPhase =
  | 'running' // pausable now
  | 'pausing' // a pause/stop is in progress (OMS 7, DCS TERMINATING)
  | 'paused' // resumable (NCP PAUSED, OMS 3, DRS PAUSING, DCS TERMINATED)
  | 'waiting' // not started yet (NCP INITIALIZED, OMS 1)
  | 'finished' // done, deleted or released
  | 'failed' // the migration itself failed
  | 'other'; // anything else: never acted on

export interface ProviderTask {
  provider: ProviderKey;
  account: string;
  /** The provider's id, always a string (OMS ids are 15-digit integers on the wire; NCP uses the title). */
  taskId: string;
  name: string;
  /** The provider's own state as sent on the wire, e.g. `STARTED`, `2`, `PAUSING`, `INCRMIGEATING`. */
  state: string;
  phase: TaskPhase;
  /** Set when this task can be paused but never resumed by us (DCS backupfile_import). */
  resumeUnsupportedReason?: string;
  /** Safe, non-secret facts shown to operators (migration type, progress). Never passwords or keys. */
  details?: Record<string, string | number | boolean>;
}

/**
 * What the core needs to know to drive a provider; every one is read by the core (a test checks that). How an
 * adapter pauses (stop or pause), reads (in batches or one by one) or what a resume sends is its own business.
 */
export interface Capabilities {
  /** Most targets one pause/resume call may carry; 1 means one call per task. */
  batchLimit: number;
  /** How to confirm an action: read back every intervalMs until the target state or deadlineMs. */
  confirm: { intervalMs: number; deadlineMs: number };
  /**
   * Conservative default when the accounts file says nothing; no provider publishes a number. The adaptive limiter
   * starts here and learns the rest; `max`, when set, is the account's ceiling.
   */
  rateLimit: RateLimit;
  /** One line for operators, e.g. "DCS: stop, restart later — online migrations only". */
  describe: string;
}

export type ActionResult = { taskId: string; ok: true } | { taskId: string; ok: false; error: ProviderError };

/** The account's secret reference as errors name it (schema: every provider but those whose manifest allows none has one). */
export function secretRefOf(account: AccountConfig): string {
  return account.secret ?? `(account ${account.name} names no secret)`;
}

export interface SessionContext {
  account: AccountConfig;
  /** The account's secret as parsed JSON; the adapter validates the fields it needs. */
  secret: Record<string, unknown>;
  http: HttpSettings;
  /**
   * The most tasks the core hands one call (the adapter's batchLimit, lowered by the account's batchSize): decided
   * once, by the core, and followed by the adapter wherever it batches (reads included). Default: its own limit.
   */
  batchLimit?: number;
}

/** One account's connection to one provider. */
export interface ProviderSession {
  /** Every task of the account (all pages, every kind the provider lists separately). */
  list(): Promise<ProviderTask[]>;
  /** Reads tasks back; an id the provider does not know maps to a `not-found` ProviderError. */
  get(taskIds: readonly string[]): Promise<Map<string, ProviderTask | ProviderError>>;
  /** Pauses (or stops) at most `capabilities.batchLimit` tasks; one result per task. */
  pause(tasks: readonly ProviderTask[], options: ActionOptions): Promise<ActionResult[]>;
  /** Resumes (or restarts) at most `capabilities.batchLimit` tasks; one result per task. */
  resume(tasks: readonly ProviderTask[], options: ActionOptions): Promise<ActionResult[]>;
}

export interface ProviderAdapter {
  readonly key: ProviderKey;
  readonly capabilities: Capabilities;
  /** Validates the secret's fields (throws SecretError naming the missing field) and opens a session. */
  open(context: SessionContext): ProviderSession;
}
