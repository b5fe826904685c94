import type { Target, TargetKey, TargetOutcome } from './types';

/** Our record that we paused a target and still hold it paused; resume acts only on these. */
export interface PauseRecord {
  key: TargetKey;
  target: Target;
  commandId: string;
  reason: string;
  requestedBy: string;
  pausedAt: string;
}

/**
 * What this system remembers. The in-memory and on-disk implementations live in lib/local; the DynamoDB one
 * comes with the AWS side. Every implementation must pass tests/helpers/ledger-contract.ts.
 */
export interface Ledger {
  /** We paused this target (or it was already paused under an earlier hold of ours). */
  recordPause(record: PauseRecord): Promise<void>;
  /** Every target we paused and have not released. */
  pausedByUs(): Promise<PauseRecord[]>;
  /** Our hold ends: we resumed it, or someone resumed it by hand. */
  release(key: TargetKey): Promise<void>;
  /** The one recorded outcome of a target in a command (the latest write wins). */
  recordOutcome(commandId: string, outcome: TargetOutcome): Promise<void>;
  outcomesOf(commandId: string): Promise<TargetOutcome[]>;
  /** Makes everything recorded so far durable (a no-op where writes already are). */
  flush(): Promise<void>;
}
