import type { ProviderTask } from '../providers/types';
import type { Command } from './command';
import type { ProviderError } from './errors';
import { type HoldChange, holdCounts, holdStatus, type Lease, type Ledger, type PauseRecord } from './ledger';
import { type Target, type TargetKey, type TargetOutcome, targetKey } from './types';

/**
 * Hold bookkeeping: what a command writes about its holds before and after it asks a provider. The promise it
 * serves: a task we paused is never left paused without a hold of ours (the hold is written ahead, as pending),
 * and a task is never resumed while another source's hold counts (re-read under the target's lease).
 */

/** Ledger writes in flight at once when many targets change together (a chunk, a plan's resolutions). */
const WRITES_AT_ONCE = 16;

/**
 * How old a pending hold on a running task must be before `status` or the sweep removes it. A pause handed on
 * at a deadline between the provider's acceptance and its read-back may not show as pausing yet; a command that
 * touches the target itself (under its lease) resolves it at once.
 */
export const PENDING_GRACE_MS = 10 * 60_000;

/** The hold this command's source keeps on a target. */
export function holdFor(command: Command, target: Target, status: PauseRecord['status'], at: string): PauseRecord {
  return {
    key: targetKey(target),
    target,
    source: command.source,
    commandId: command.commandId,
    reason: command.reason,
    requestedBy: command.requestedBy,
    ...(command.sentBy ? { sentBy: command.sentBy } : {}),
    pausedAt: at,
    ...(command.until ? { until: command.until } : {}),
    status,
  };
}

/**
 * Write ahead: the holds of targets about to be paused (or held), as `pending`, durable before the provider is
 * asked. Whatever happens next — a crash, a lost response, a deadline, a failed ledger write — the task cannot end
 * up paused without a hold of ours. The targets are leased to `holder`; the leases stay taken. `current` are the
 * holds read under those leases: a confirmed hold this source already has is kept as it is, never replaced by an
 * unconfirmed one — this command may give up without asking the provider, and taking back its pending hold must
 * not take back the pause an earlier command made.
 */
export async function placePendingHolds(
  command: Command,
  targets: readonly Target[],
  current: ReadonlyMap<TargetKey, readonly PauseRecord[]>,
  ledger: Ledger,
  holder: string,
  at: string,
): Promise<void> {
  const confirmed = (key: TargetKey) =>
    (current.get(key) ?? []).some((h) => h.source === command.source && holdStatus(h) === 'held');
  const changes = targets.flatMap((target) => {
    const key = targetKey(target);
    return confirmed(key) ? [] : [{ key, put: [holdFor(command, target, 'pending', at)] }];
  });
  if (changes.length === 0) return;
  await ledger.changeHolds(holder, changes, { releaseLease: false });
  await ledger.flush();
}

/** Error classes after which the provider certainly did not pause the task: its pending hold goes. */
const DEFINITIVE_REFUSALS = new Set(['not-found', 'bad-request', 'invalid-state']);

/**
 * After a pause: a task seen paused makes its hold `held`; a definitive refusal (and a task not pausable at all)
 * removes the pending hold; any other ending — timeout, throttling, a refused read-back, a deadline, an answer
 * lost — leaves it pending, to be resolved from the provider's live state later. One change per target.
 */
export function pauseHoldChanges(command: Command, outcomes: readonly TargetOutcome[]): HoldChange[] {
  return outcomes.map((o): HoldChange => {
    const key = targetKey(o.target);
    // Our request did nothing (whoever paused the task, it was not this command): no hold of this command's.
    if (o.notApplied === true) return { key, remove: [command.source] };
    if (o.outcome === 'paused' || o.outcome === 'already-paused') {
      return { key, put: [holdFor(command, o.target, 'held', o.finishedAt)] };
    }
    const refused =
      o.outcome === 'skipped' ||
      o.outcome === 'unsupported' ||
      (o.outcome === 'failed' && (DEFINITIVE_REFUSALS.has(o.errorClass ?? '') || o.notApplied === true));
    return refused ? { key, remove: [command.source] } : { key };
  });
}

/**
 * What a resume may do with a target, decided under its lease from the holds read there. `unheld`: nothing in the
 * ledger lets this command resume the task (no hold of its source; on force, no hold at all) — a resume planned
 * from the ledger has one, so the work was not planned here, or another resume got there first.
 */
export type ResumeCheck = { act: true } | { act: false; reason: string; releaseOwn: boolean; unheld?: true };

/**
 * Under the lease, just before resuming: the holds are read again, since an incident may have paused the task on
 * top of ours since the plan was made. Only a target whose holds let this command resume it is acted on.
 */
export function checkResume(command: Command, holds: readonly PauseRecord[], now: Date): ResumeCheck {
  const counting = holds.filter((h) => holdCounts(h, now));
  if (command.options.expiredHolds) {
    if (holds.length === 0) return { act: false, reason: 'no hold is left on it', releaseOwn: false };
    const live = [...new Set(counting.map((h) => h.source))];
    return live.length ? { act: false, reason: `held again by ${live.join(', ')}`, releaseOwn: false } : { act: true };
  }
  if (command.options.force) {
    if (holds.length > 0) return { act: true };
    return {
      act: false,
      reason: 'not held by any source: a forced resume resumes only what this system paused',
      releaseOwn: false,
      unheld: true,
    };
  }
  // Work for a task this source does not hold was not planned from the ledger, whoever else holds it.
  if (!holds.some((h) => h.source === command.source)) {
    return { act: false, reason: `not held by ${command.source}`, releaseOwn: false, unheld: true };
  }
  const others = [...new Set(counting.filter((h) => h.source !== command.source).map((h) => h.source))];
  if (others.length) {
    return { act: false, reason: `still held paused by ${others.join(', ')}; resume there, or force`, releaseOwn: true };
  }
  return { act: true };
}

/**
 * After a resume: a resumed task loses this source's hold and the expired ones (which no longer count); a forced
 * resume and the expired-holds sweep end every hold. Holds another source placed that still count are never
 * lifted by an ordinary resume — it would not have resumed the task. `holdsBefore` are the holds read under the
 * lease. Returns one change per target, and the outcomes (a forced one names whose holds it overruled: the audit).
 */
export function resumeHoldChanges(
  command: Command,
  outcomes: readonly TargetOutcome[],
  holdsBefore: ReadonlyMap<TargetKey, readonly PauseRecord[]>,
  now: Date,
): { changes: HoldChange[]; outcomes: TargetOutcome[] } {
  const everything = command.options.force || command.options.expiredHolds === true;
  const changes: HoldChange[] = [];
  const annotated = outcomes.map((o) => {
    const key = targetKey(o.target);
    if (o.outcome !== 'resumed') {
      changes.push({ key });
      return o;
    }
    const holds = holdsBefore.get(key) ?? [];
    const lifted = holds.filter((h) => everything || h.source === command.source || !holdCounts(h, now));
    changes.push({ key, remove: lifted.map((h) => h.source) });
    const overruled = command.options.force
      ? lifted.filter((h) => h.source !== command.source && holdCounts(h, now)).map((h) => h.source)
      : [];
    return overruled.length
      ? { ...o, reason: `forced by ${command.requestedBy}: lifted the holds of ${overruled.sort().join(', ')}` }
      : o;
  });
  return { changes, outcomes: annotated };
}

export interface ResolveDeps {
  ledger: Ledger;
  now: () => Date;
  /** The lease the resolution takes on each target it changes: a target being changed right now is left alone. */
  lease: Lease;
  /** Pending holds younger than this are not removed (they may belong to a pause still on its way). */
  graceMs?: number;
}

/**
 * Resolves pending holds from the provider's live state: paused ⇒ `held`; running (or finished, or gone) ⇒
 * removed; pausing, unreadable or busy ⇒ left pending. Returns the holds as they are afterwards.
 */
export async function resolvePendingHolds(
  holds: readonly PauseRecord[],
  live: ReadonlyMap<TargetKey, ProviderTask | ProviderError>,
  deps: ResolveDeps,
): Promise<PauseRecord[]> {
  const now = deps.now().getTime();
  const verdicts = new Map<PauseRecord, 'held' | 'removed'>();
  for (const hold of holds) {
    const state = live.get(hold.key);
    if (holdStatus(hold) !== 'pending' || !state) continue;
    if (!('phase' in state)) {
      if (state.errorClass === 'not-found' && now - Date.parse(hold.pausedAt) >= (deps.graceMs ?? 0)) {
        verdicts.set(hold, 'removed');
      }
      continue;
    }
    if (state.phase === 'paused') verdicts.set(hold, 'held');
    else if (state.phase !== 'pausing' && now - Date.parse(hold.pausedAt) >= (deps.graceMs ?? 0)) verdicts.set(hold, 'removed');
  }
  if (verdicts.size === 0) return [...holds];
  const leased = await deps.ledger.acquireLeases([...new Set([...verdicts.keys()].map((h) => h.key))], deps.lease);
  const changes = new Map<TargetKey, { put: PauseRecord[]; remove: string[] }>();
  for (const [hold, verdict] of verdicts) {
    // Judged again on what was read under the lease: a command that held the target may have settled it meanwhile.
    const current = leased.get(hold.key)?.find((h) => h.source === hold.source);
    if (!current || holdStatus(current) !== 'pending') {
      verdicts.delete(hold);
      continue;
    }
    const change = changes.get(hold.key) ?? { put: [], remove: [] };
    if (verdict === 'held') change.put.push({ ...current, status: 'held' });
    else change.remove.push(hold.source);
    changes.set(hold.key, change);
  }
  try {
    await deps.ledger.changeHolds(
      deps.lease.holder,
      [...changes].map(([key, change]) => ({ key, ...change })),
      { releaseLease: true },
    );
  } finally {
    const untouched = [...leased.keys()].filter((key) => !changes.has(key));
    if (untouched.length) await deps.ledger.releaseLeases(untouched, deps.lease.holder);
  }
  return holds.flatMap((h) => {
    const verdict = verdicts.get(h);
    if (verdict === 'removed') return [];
    return verdict === 'held' ? [{ ...h, status: 'held' as const }] : [h];
  });
}

/** Runs `work` over items, at most WRITES_AT_ONCE at a time. */
export async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(WRITES_AT_ONCE, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
