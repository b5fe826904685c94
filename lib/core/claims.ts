import type { Chunk } from './dispatch';
import { inParallel } from './holds';
import type { ClaimResult, Lease, Ledger } from './ledger';
import { type TargetKey, type TargetOutcome, targetKey } from './types';

/**
 * Where a delivery's claims live: the command's own for its first attempt, one scope per hand-off after that, so
 * a handed-back target can be claimed again by the next attempt (and only once by it).
 */
export function claimScope(commandId: string, handoff: number): string {
  return handoff === 0 ? commandId : `${commandId}#handoff-${handoff}`;
}

export interface ClaimedItems {
  /** Claimed by this delivery (first, or taken over from a claimer that died): it acts on these. */
  mine: Chunk['items'];
  /** Finished by an earlier delivery: outcome recorded, or handed on at its deadline. Nothing to do. */
  done: Chunk['items'];
  /** Another delivery is working on these right now: this one leaves them alone and reports nothing. */
  inProgress: Chunk['items'];
  /** Of `mine`, those taken over from a claimer that died: it may have acted before it died. */
  takenOver: ReadonlySet<TargetKey>;
}

/**
 * The claim protocol: each target of a chunk is claimed for this delivery under a lease that ends with the
 * delivery's own time. A claim whose holder is alive is in progress; only one whose lease ran out with no outcome
 * is abandoned, and taken over (its pending hold and the provider's state tell the new holder where things stand).
 */
export async function claimItems(ledger: Ledger, scope: string, items: Chunk['items'], lease: Lease): Promise<ClaimedItems> {
  const results = new Map<TargetKey, ClaimResult>();
  await inParallel(items, async (item) => {
    const key = targetKey(item.target);
    results.set(key, await ledger.claim(scope, key, lease));
  });
  const takenOver = new Set<TargetKey>();
  const claimed: ClaimedItems = { mine: [], done: [], inProgress: [], takenOver };
  for (const item of items) {
    const key = targetKey(item.target);
    const result = results.get(key);
    if (result === 'done') claimed.done.push(item);
    else if (result === 'in-progress') claimed.inProgress.push(item);
    else {
      claimed.mine.push(item);
      if (result === 'taken-over') takenOver.add(key);
    }
  }
  return claimed;
}

/**
 * Of the targets taken over from a dead delivery, those whose outcome has been recorded since: the dead one handed
 * them on (its deadline came) and died before it could finish their claims, and the hand-off has finished them. That
 * outcome stands, one per command and target (a failure is already in the DLQ): acted on again, the target would get
 * a second, contradicting one. Read only when something was taken over, which is rare: a read of the command's
 * outcomes is the cost.
 */
export async function recordedSinceTakeover(
  ledger: Ledger,
  commandId: string,
  items: Chunk['items'],
  takenOver: ReadonlySet<TargetKey>,
): Promise<Map<TargetKey, TargetOutcome>> {
  const found = new Map<TargetKey, TargetOutcome>();
  if (!items.some((item) => takenOver.has(targetKey(item.target)))) return found;
  const recorded = new Map((await ledger.outcomesOf(commandId)).map((o) => [targetKey(o.target), o]));
  for (const item of items) {
    const key = targetKey(item.target);
    const outcome = takenOver.has(key) ? recorded.get(key) : undefined;
    if (outcome) found.set(key, outcome);
  }
  return found;
}
