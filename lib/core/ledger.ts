import type { Target, TargetKey, TargetOutcome } from './types';

/**
 * A hold: one source (a window, an incident, a publishing system) keeps one target paused. A target can carry
 * several holds; we resume it only when none is left (or on force), so an incident pause outlives the evening's
 * scheduled resume, and a task paused by someone outside this system (no hold) is never resumed by us.
 */
export interface PauseRecord {
  key: TargetKey;
  target: Target;
  /** Who holds it: `window:business-hours`, `INC-1234`, `cost-guard`, … */
  source: string;
  commandId: string;
  reason: string;
  requestedBy: string;
  pausedAt: string;
  /** The hold stops counting after this instant (ISO 8601); absent means until released. */
  until?: string;
}

/**
 * What this system remembers. The in-memory and on-disk implementations live in lib/local, the DynamoDB one in
 * lib/aws; every implementation must pass tests/helpers/ledger-contract.ts.
 */
export interface Ledger {
  /** Places (or renews) the hold of `record.source` on a target. */
  recordPause(record: PauseRecord): Promise<void>;
  /** Every hold, expired ones included (callers judge expiry against their clock). */
  pausedByUs(): Promise<PauseRecord[]>;
  /** Ends one source's hold on a target, or every hold on it when no source is given. Idempotent. */
  release(key: TargetKey, source?: string): Promise<void>;
  /** The one recorded outcome of a target in a command (the latest write wins). */
  recordOutcome(commandId: string, outcome: TargetOutcome): Promise<void>;
  outcomesOf(commandId: string): Promise<TargetOutcome[]>;
  /**
   * Claims a target for one command, once: true for the first caller, false for every later one (a duplicate
   * delivery of the same command). The guard that keeps a redelivered command from calling a provider twice.
   */
  claim(commandId: string, key: TargetKey): Promise<boolean>;
  /** Whether a claim exists, without making one (a strongly consistent read). */
  isClaimed(commandId: string, key: TargetKey): Promise<boolean>;
  /**
   * The audit trail: outcomes of one command, or of one target (`provider/account/taskId`) across commands, oldest
   * first. At least one of commandId and targetKey is required.
   */
  history(filter: HistoryFilter): Promise<HistoryEntry[]>;
  /** Makes everything recorded so far durable (a no-op where writes already are). */
  flush(): Promise<void>;
}

export interface HistoryFilter {
  commandId?: string;
  targetKey?: TargetKey;
  /** Only outcomes finished at or after this ISO instant. */
  since?: string;
}

export interface HistoryEntry {
  commandId: string;
  outcome: TargetOutcome;
}

/** Applies a history filter to entries, oldest first (shared by the implementations that hold everything). */
export function selectHistory(entries: readonly HistoryEntry[], filter: HistoryFilter): HistoryEntry[] {
  return entries
    .filter((e) => filter.commandId === undefined || e.commandId === filter.commandId)
    .filter((e) => filter.targetKey === undefined || targetKeyOf(e.outcome) === filter.targetKey)
    .filter((e) => filter.since === undefined || Date.parse(e.outcome.finishedAt) >= Date.parse(filter.since))
    .sort((a, b) => a.outcome.finishedAt.localeCompare(b.outcome.finishedAt));
}

function targetKeyOf(outcome: TargetOutcome): TargetKey {
  return `${outcome.target.provider}/${outcome.target.account}/${outcome.target.taskId}`;
}

/** Holds that still count at `now`. */
export function activeHolds(holds: readonly PauseRecord[], now: Date): PauseRecord[] {
  return holds.filter((h) => h.until === undefined || Date.parse(h.until) > now.getTime());
}
