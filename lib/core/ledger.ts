import type { Target, TargetKey, TargetOutcome } from './types';

/**
 * `pending`: written *before* the provider was asked to pause (write ahead); whether the pause took effect is not
 * known yet. `held`: the provider was seen with the task paused. A pending hold is resolved from the provider's live
 * state by the next command that touches the target, by `status` and by the sweep: paused ⇒ held, running ⇒ removed.
 */
export type HoldStatus = 'pending' | 'held';

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
  /** Who the commands queue says sent the pause (SQS SenderId), when it came through the queue. */
  sentBy?: string;
  pausedAt: string;
  /** The hold stops counting after this instant (ISO 8601); absent means until released. */
  until?: string;
  /** Absent in records written before write-ahead holds existed: those were all confirmed, so `held`. */
  status?: HoldStatus;
}

/**
 * What a claim of (command scope, target) found:
 * - `claimed`: the first claim; this delivery acts.
 * - `taken-over`: an earlier claimer's lease ran out with the claim unfinished (it died): this delivery acts, and
 *   must read the live state first, since the dead one may have acted.
 * - `in-progress`: another delivery holds it within its lease; this one must not act or report anything.
 * - `done`: finished earlier (outcome recorded, or handed on at a deadline); report what is recorded, act on nothing.
 */
export type ClaimResult = 'claimed' | 'taken-over' | 'in-progress' | 'done';

/** Who holds a lease or a claim, and until when (epoch ms): never past the holder's own remaining time. */
export interface Lease {
  holder: string;
  expiresAt: number;
}

/**
 * What this system remembers. The in-memory and on-disk implementations live in lib/local, the DynamoDB one in
 * lib/aws; every implementation must pass tests/helpers/ledger-contract.ts.
 */
/**
 * A change to one target's holds, made by the holder of its lease: holds placed (or replaced, by source), holds
 * lifted (by source, or all of them).
 */
export interface HoldChange {
  key: TargetKey;
  put?: readonly PauseRecord[];
  remove?: readonly string[];
  removeAll?: boolean;
}

/**
 * What this system remembers. The in-memory and on-disk implementations live in lib/local, the DynamoDB one in
 * lib/aws; every implementation must pass tests/helpers/ledger-contract.ts. Operations are shaped for 100,000
 * targets: a worker asks about its own chunk only, a resume plans from its own source's holds, and "every hold"
 * comes in pages, for status, --force and the sweep.
 */
export interface Ledger {
  /** Places (or replaces) the hold of `record.source` on a target, with its status. */
  recordPause(record: PauseRecord): Promise<void>;
  /** The holds of these targets (every source, expired and pending ones included); a strongly consistent read. */
  holdsOf(keys: readonly TargetKey[]): Promise<PauseRecord[]>;
  /** The holds one source has placed, in pages (expired and pending ones included). */
  holdsOfSource(source: string): AsyncIterable<PauseRecord[]>;
  /** Every hold, in pages: for status, a forced resume and the sweep. */
  allHolds(): AsyncIterable<PauseRecord[]>;
  /** Every hold at once (the CLI's status and tests; planning uses the paged forms). */
  pausedByUs(): Promise<PauseRecord[]>;
  /** Ends one source's hold on a target, or every hold on it when no source is given. Idempotent. */
  release(key: TargetKey, source?: string): Promise<void>;
  /**
   * One writer per target: takes the lease of each target that is free, expired, or already this holder's (then
   * renewed). Returns the targets now leased to `lease.holder`, each with its holds as read under the lease; the
   * rest are being changed by someone else.
   */
  acquireLeases(keys: readonly TargetKey[], lease: Lease): Promise<Map<TargetKey, PauseRecord[]>>;
  /**
   * Changes the holds of targets this holder has leased — one write per target — and, with `releaseLease`, gives
   * each lease back in the same write. A target whose lease is no longer this holder's is left unchanged.
   */
  changeHolds(holder: string, changes: readonly HoldChange[], options: { releaseLease: boolean }): Promise<void>;
  /** Gives back the leases `holder` holds on these targets; a lease someone else holds now is left alone. */
  releaseLeases(keys: readonly TargetKey[], holder: string): Promise<void>;
  /**
   * Records the outcomes of targets in a command (one per target, the latest write winning; written in batches),
   * which also finishes their claims in the command's own scope.
   */
  recordOutcomes(commandId: string, outcomes: readonly TargetOutcome[]): Promise<void>;
  outcomesOf(commandId: string): Promise<TargetOutcome[]>;
  /**
   * Claims a target for one delivery of a command (scope: the command id, or one hand-off of it). The guard that
   * keeps a redelivered command from calling a provider twice, and that tells a live duplicate from a dead claimer.
   */
  claim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult>;
  /** Marks a claim finished (its outcome is recorded, or it was handed on): later claims answer `done`. */
  finishClaim(scope: string, key: TargetKey): Promise<void>;
  /**
   * The audit trail: outcomes of one command, or of one target (`provider/account/taskId`) across commands, oldest
   * first. At least one of commandId and targetKey is required.
   */
  history(filter: HistoryFilter): Promise<HistoryEntry[]>;
  /** Makes everything recorded so far durable (a no-op where writes already are). */
  flush(): Promise<void>;
}

/** Every page of a paged hold listing, at once. */
export async function collectHolds(pages: AsyncIterable<PauseRecord[]>): Promise<PauseRecord[]> {
  const all: PauseRecord[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** The holds after a change, given the holds before it (what every implementation applies, under the lease). */
export function applyHoldChange(before: readonly PauseRecord[], change: HoldChange): PauseRecord[] {
  if (change.removeAll) return [...(change.put ?? [])];
  const removed = new Set(change.remove ?? []);
  const replaced = new Set((change.put ?? []).map((h) => h.source));
  return [...before.filter((h) => !removed.has(h.source) && !replaced.has(h.source)), ...(change.put ?? [])];
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

/** A hold's status; records from before write-ahead holds have none and were confirmed. */
export function holdStatus(hold: PauseRecord): HoldStatus {
  return hold.status ?? 'held';
}

/** Whether a hold counts at `now`: not expired. Pending holds count: the pause may well have taken effect. */
export function holdCounts(hold: PauseRecord, now: Date): boolean {
  return hold.until === undefined || Date.parse(hold.until) > now.getTime();
}

/** Holds that still count at `now`. */
export function activeHolds(holds: readonly PauseRecord[], now: Date): PauseRecord[] {
  return holds.filter((h) => holdCounts(h, now));
}
