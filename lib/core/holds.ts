import type { ProviderTask } from '../providers/types';
import type { Command } from './command';
import type { ProviderError } from './errors';
import { holdCounts, holdStatus, type Lease, type Ledger, type PauseRecord } from './ledger';
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
    pausedAt: at,
    ...(command.until ? { until: command.until } : {}),
    status,
  };
}

/**
 * Write ahead: the holds of targets about to be paused (or held), as `pending`, durable before the provider is
 * asked. Whatever happens next — a crash, a lost response, a deadline, a failed ledger write — the task cannot end
 * up paused without a hold of ours.
 */
export async function placePendingHolds(command: Command, targets: readonly Target[], ledger: Ledger, at: string): Promise<void> {
  await inParallel(targets, (target) => ledger.recordPause(holdFor(command, target, 'pending', at)));
  await ledger.flush();
}

/** Error classes after which the provider certainly did not pause the task: its pending hold goes. */
const DEFINITIVE_REFUSALS = new Set(['not-found', 'bad-request', 'invalid-state']);

/**
 * After a pause: a task seen paused makes its hold `held`; a definitive refusal (and a task not pausable at all)
 * removes the pending hold; any other ending — timeout, throttling, a refused read-back, a deadline — leaves it
 * pending, to be resolved from the provider's live state later.
 */
export async function settlePauseHolds(command: Command, outcomes: readonly TargetOutcome[], ledger: Ledger): Promise<void> {
  await inParallel(outcomes, async (o) => {
    if (o.outcome === 'paused' || o.outcome === 'already-paused') {
      await ledger.recordPause(holdFor(command, o.target, 'held', o.finishedAt));
    } else if (
      o.outcome === 'skipped' ||
      o.outcome === 'unsupported' ||
      (o.outcome === 'failed' && DEFINITIVE_REFUSALS.has(o.errorClass ?? ''))
    ) {
      await ledger.release(targetKey(o.target), command.source);
    }
  });
}

/** What a resume may do with a target, decided under its lease from the holds read there. */
export type ResumeCheck = { act: true } | { act: false; reason: string; releaseOwn: boolean };

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
  if (command.options.force) return { act: true };
  const others = [...new Set(counting.filter((h) => h.source !== command.source).map((h) => h.source))];
  if (others.length) {
    return { act: false, reason: `still held paused by ${others.join(', ')}; resume there, or force`, releaseOwn: true };
  }
  if (!holds.some((h) => h.source === command.source)) {
    return { act: false, reason: `not held by ${command.source} any more`, releaseOwn: false };
  }
  return { act: true };
}

/**
 * After a resume: a resumed task loses this source's hold and the expired ones (which no longer count); a forced
 * resume and the expired-holds sweep end every hold. Holds another source placed that still count are never
 * lifted by an ordinary resume — it would not have resumed the task.
 */
export async function settleResumeHolds(
  command: Command,
  outcomes: readonly TargetOutcome[],
  ledger: Ledger,
  now: Date,
): Promise<TargetOutcome[]> {
  const resumed = outcomes.filter((o) => o.outcome === 'resumed').map((o) => targetKey(o.target));
  if (resumed.length === 0) return [...outcomes];
  const everything = command.options.force || command.options.expiredHolds === true;
  const holds = await ledger.holdsOf(resumed);
  const overruled = new Map<TargetKey, string[]>();
  await inParallel(holds, async (h) => {
    if (!(everything || h.source === command.source || !holdCounts(h, now))) return;
    await ledger.release(h.key, h.source);
    if (command.options.force && h.source !== command.source && holdCounts(h, now)) {
      overruled.set(h.key, [...(overruled.get(h.key) ?? []), h.source]);
    }
  });
  // A forced resume says in its outcome whose holds it overruled: the audit trail (history) keeps it.
  return outcomes.map((o) => {
    const sources = overruled.get(targetKey(o.target));
    return sources ? { ...o, reason: `forced by ${command.requestedBy}: lifted the holds of ${sources.sort().join(', ')}` } : o;
  });
}

/** Ends the own source's hold on targets a resume settled without acting (still held by others, never paused). */
export async function releaseOwnHolds(command: Command, keys: readonly TargetKey[], ledger: Ledger): Promise<void> {
  await inParallel(keys, (key) => ledger.release(key, command.source));
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
  try {
    // Read again under the lease: a command that held the target may have settled this hold meanwhile.
    const current = new Map((await deps.ledger.holdsOf([...leased])).map((h) => [`${h.key}|${h.source}`, h]));
    await inParallel([...verdicts], async ([hold, verdict]) => {
      const now = current.get(`${hold.key}|${hold.source}`);
      if (!leased.has(hold.key) || !now || holdStatus(now) !== 'pending') {
        verdicts.delete(hold);
        return;
      }
      if (verdict === 'held') await deps.ledger.recordPause({ ...now, status: 'held' });
      else await deps.ledger.release(hold.key, hold.source);
    });
  } finally {
    await deps.ledger.releaseLeases([...leased], deps.lease.holder);
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
