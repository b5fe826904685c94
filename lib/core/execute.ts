import type { ActionResult, ProviderSession, ProviderTask } from '../providers/types';
import type { Command } from './command';
import { irreversiblePause } from './decide';
import type { Chunk, ChunkPhase } from './dispatch';
import { errorClassOf, ProviderError } from './errors';
import { failedOutcome, settledOutcome } from './outcome';
import type { AccountSessions } from './sessions';
import type { Target, TargetOutcome } from './types';

export interface ExecuteDeps {
  sessions: AccountSessions;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /**
   * Epoch ms after which no provider call starts (a Lambda's remaining time less a margin). Work not done by then
   * is handed back, never failed: see `ChunkResult.handedBack`.
   */
  stopBy?: number;
}

/**
 * Where the next attempt at a target starts: `act` (no provider call was made for it), `hold` (a pause's hold on a
 * task already paused, not yet checked), or `confirm` (the provider accepted the action; only the read-back is
 * missing, so it must not be sent again).
 */
export type HandoffPhase = ChunkPhase;

export interface HandedBack {
  item: Chunk['items'][number];
  phase: HandoffPhase;
  /** Why it was not finished here, when not the deadline (another command kept the target busy). */
  why?: string;
}

export interface ChunkResult {
  outcomes: TargetOutcome[];
  handedBack: HandedBack[];
}

/** Refusals that may only mean the task is already where the action takes it: read back before they count. */
const REFUSALS_READ_BACK = new Set<string>(['invalid-state', 'bad-request', 'provider-error']);

/**
 * Executes one chunk: one adapter call (batched where the provider allows), one secret refresh if the
 * provider rejects our credentials, then reads the tasks back until each reaches the wanted state or the
 * confirmation deadline passes. Every target gets exactly one outcome, or is handed back when `stopBy` comes
 * first; never throws for a provider problem. With phase `confirm` (handed back after the provider accepted the
 * action) the chunk is only read back, never acted on again.
 */
export async function executeChunk(
  command: Command,
  chunk: Chunk,
  deps: ExecuteDeps,
  phase: HandoffPhase = 'act',
  /**
   * Task ids a hold of ours covers (see run.ts, ourHoldIn): a refusal of them may be the effect of an earlier request
   * of ours, and a task of them found paused in the `hold` phase is still paused under one of our holds. Anything
   * else found paused was paused by someone else.
   */
  earlierOfOurs: ReadonlySet<string> = new Set(),
): Promise<ChunkResult> {
  if (pastStop(deps)) return { outcomes: [], handedBack: chunk.items.map((item) => ({ item, phase })) };
  const settle = settler(command, chunk, deps);
  const wanted = command.action === 'pause' ? isPaused : isNoLongerPaused;
  const timing = chunk.account.capabilities.confirm;

  if (phase === 'confirm') return confirmHandedOn(command, chunk, deps, settle, earlierOfOurs);

  let items = chunk.items;
  const held: TargetOutcome[] = [];
  if (phase === 'hold') {
    // A task already paused under a hold of ours gets this command's hold too; read it again first (under the
    // lease): a resume may have run it since the plan, and then it is paused again like any running task.
    const checked = await checkStillPaused(chunk, deps, settle.at, earlierOfOurs);
    if (checked.handedBack.length) return { outcomes: [], handedBack: checked.handedBack };
    held.push(...checked.outcomes);
    items = checked.running;
    // Running again, and a stop of it could never be undone: not without the command's say-so.
    if (command.options.allowIrreversible !== true) {
      for (const item of items.filter((i) => i.task.resumeUnsupportedReason)) {
        held.push(settledOutcome(item.target, irreversiblePause(item.task.resumeUnsupportedReason ?? ''), settle.at));
      }
      items = items.filter((i) => !i.task.resumeUnsupportedReason);
    }
    if (items.length === 0) return { outcomes: held, handedBack: [] };
  }

  const name = chunk.account.config.name;
  let calls = await callProvider(
    command,
    chunk,
    deps.sessions,
    items.map((i) => i.task),
  );
  const authFailed = calls.results.filter((r) => !r.ok && r.error.errorClass === 'auth').map((r) => r.taskId);
  if (authFailed.length && !pastStop(deps) && (await deps.sessions.refreshAfterAuthFailure(name).catch(() => false))) {
    const retried = await callProvider(
      command,
      chunk,
      deps.sessions,
      items.filter((i) => authFailed.includes(i.task.taskId)).map((i) => i.task),
    );
    const byId = new Map(retried.results.map((r) => [r.taskId, r]));
    calls = { session: retried.session, results: calls.results.map((r) => byId.get(r.taskId) ?? r) };
  }

  const results = new Map(calls.results.map((r) => [r.taskId, r]));
  // A refusal because the task is already where we want it (the answer to a retry whose first response was lost,
  // or to a delivery taking over from one that died after acting) is read back once: if the task is there (or, for
  // a pause, on its way there), the action took effect, and the hold is kept. Not every provider says "wrong state"
  // as such: NCP answers a pause of a paused job with a plain 400, and a code an adapter does not know is a
  // provider error.
  const refused = items.filter((i) => {
    const r = results.get(i.task.taskId);
    return r !== undefined && !r.ok && REFUSALS_READ_BACK.has(r.error.errorClass);
  });
  // A refusal that cannot be read back here (the deadline came, the read failed) is not taken for definitive: the
  // target goes on to a confirm-only hand-off, which reads it. Taken for definitive, it would drop the pending hold
  // of a task an earlier delivery may well have paused.
  const unread = new Set<string>();
  // Failures after which the task is known not to have moved: its pending hold goes (a pause's), rather than being
  // taken later for ours when someone pauses the task by hand.
  const notApplied = new Set<string>();
  // Refused, but read back where the action leads: taken for the effect of an earlier request of ours.
  const refusedThere = new Set<string>();
  const pausedByOthers = new Map<string, ProviderTask>();
  // Of the unread refusals, those nothing of ours could explain: found paused later, someone else's.
  const unreadNotOurs = new Set<string>();
  const tookEffect = tookEffectOf(command);
  if (refused.length) {
    const ids = refused.map((i) => i.task.taskId);
    const read = calls.session && !pastStop(deps) ? await calls.session.get(ids).catch(() => undefined) : undefined;
    for (const id of ids) {
      const state = read?.get(id);
      const result = results.get(id);
      const retried = result?.ok === false && result.error.afterServerError === true;
      const notOurs = command.action === 'pause' && !earlierOfOurs.has(id) && !retried;
      if (state === undefined || (state instanceof ProviderError && state.errorClass !== 'not-found')) {
        unread.add(id);
        if (notOurs) unreadNotOurs.add(id);
      } else if (!(state instanceof ProviderError) && tookEffect(state)) {
        if (notOurs) {
          // Nothing of ours could have paused it (no earlier attempt the provider may have carried out, no hold of
          // ours, this command's own unconfirmed one included): someone else did, since the plan. Like a task found
          // paused at planning, it is not ours to hold or resume.
          pausedByOthers.set(id, state);
        } else {
          results.set(id, { taskId: id, ok: true });
          refusedThere.add(id);
        }
      } else notApplied.add(id);
    }
  }
  // A server error (5xx) may or may not have been carried out: read back once; seen unmoved, it was not.
  const serverErrors = items.filter((i) => {
    const r = results.get(i.task.taskId);
    return r !== undefined && !r.ok && !r.error.maybeApplied && (r.error.status ?? 0) >= 500;
  });
  if (serverErrors.length && calls.session && !pastStop(deps)) {
    const ids = serverErrors.map((i) => i.task.taskId);
    const read = await calls.session.get(ids).catch(() => undefined);
    for (const id of ids) {
      const state = read?.get(id);
      if (state === undefined || state instanceof ProviderError) continue; // unknown: the hold stays unconfirmed
      if (tookEffect(state)) results.set(id, { taskId: id, ok: true });
      else notApplied.add(id);
    }
  }
  // Answered without acting (throttled, credentials refused, a 4xx) or never sent: not carried out.
  for (const [id, r] of results) {
    if (r.ok || r.error.maybeApplied || r.error.outOfTime || refused.some((i) => i.task.taskId === id)) continue;
    if (r.error.status === undefined || r.error.status < 500) notApplied.add(id);
  }
  // Accepted, or sent with no answer (the provider may have acted): both are read back, never sent again.
  const accepted = items.filter((i) => mayHaveActed(results.get(i.task.taskId))).map((i) => i.task.taskId);
  const seen =
    calls.session && accepted.length
      ? await confirm(calls.session, accepted, wanted, timing, deps, refused.length ? 0 : timing.intervalMs)
      : { last: new Map(), stopped: new Set<string>() };
  for (const id of unread) seen.stopped.add(id);
  // Refused, then seen moving the other way (a resume by someone else was on its way): this request did nothing.
  for (const id of refusedThere) {
    const last = seen.last.get(id);
    if (last !== undefined && !(last instanceof ProviderError) && !wanted(last) && !tookEffect(last)) notApplied.add(id);
  }
  const others = items.flatMap((item) => {
    const state = pausedByOthers.get(item.task.taskId);
    return state ? [pausedByOthersOutcome(item.target, state, settle.at)] : [];
  });
  const acted = settle(
    results,
    seen,
    items.filter((i) => !pausedByOthers.has(i.task.taskId)),
    unread,
    notApplied,
    unreadNotOurs,
  );
  return { outcomes: [...held, ...others, ...acted.outcomes], handedBack: acted.handedBack };
}

/**
 * The `hold` phase: reads tasks planned as already paused. Still paused (or pausing): `already-paused`, the hold is
 * this command's too. Running: returned to be paused. Anything else is settled as not pausable.
 */
async function checkStillPaused(
  chunk: Chunk,
  deps: ExecuteDeps,
  startedAt: string,
  heldByOurs: ReadonlySet<string>,
): Promise<{ outcomes: TargetOutcome[]; running: Chunk['items']; handedBack: HandedBack[] }> {
  const hand = () => ({ outcomes: [], running: [], handedBack: chunk.items.map((item) => ({ item, phase: 'hold' as const })) });
  const session = await deps.sessions.session(chunk.account.config.name).catch(() => undefined);
  if (!session) return hand();
  let read: Map<string, ReadBack>;
  try {
    read = await session.get(chunk.items.map((i) => i.task.taskId));
  } catch (cause) {
    const error = asProviderError(cause, chunk.account.config.provider);
    if (error.outOfTime) return hand();
    const failure = { reason: `cannot read task: ${error.message}`, errorClass: error.errorClass, attempts: 1 };
    return {
      outcomes: chunk.items.map((i) => failedOutcome(i.target, failure, startedAt, deps.now().toISOString())),
      running: [],
      handedBack: [],
    };
  }
  if ([...read.values()].some((state) => state instanceof ProviderError && state.outOfTime)) return hand();
  const outcomes: TargetOutcome[] = [];
  const running: Chunk['items'] = [];
  const at = deps.now().toISOString();
  for (const item of chunk.items) {
    const state = read.get(item.task.taskId);
    if (!state || state instanceof ProviderError) {
      const error =
        state ??
        new ProviderError('the provider did not return this task', {
          errorClass: 'not-found',
          provider: chunk.account.config.provider,
        });
      outcomes.push(
        failedOutcome(
          item.target,
          {
            reason: `cannot read task: ${error.message}`,
            errorClass: error.errorClass,
            providerCode: error.providerCode,
            attempts: 1,
          },
          startedAt,
          at,
        ),
      );
    } else if (state.phase === 'running') {
      running.push({ target: item.target, task: state });
    } else if ((state.phase === 'paused' || state.phase === 'pausing') && !heldByOurs.has(item.task.taskId)) {
      // The hold it was planned to join is gone (its source resumed the task), and someone paused it since.
      outcomes.push(pausedByOthersOutcome(item.target, state, at));
    } else if (state.phase === 'paused' || state.phase === 'pausing') {
      outcomes.push(
        settledOutcome(
          item.target,
          { outcome: 'already-paused', reason: `already ${state.phase} (${state.state})`, stateAfter: state.state },
          at,
        ),
      );
    } else {
      outcomes.push(
        settledOutcome(
          item.target,
          { outcome: 'skipped', reason: `not in a pausable state (${state.state})`, stateAfter: state.state },
          at,
        ),
      );
    }
  }
  return { outcomes, running, handedBack: [] };
}

/** Found paused, and nothing of ours paused it: like a task found paused at planning, not ours to hold or resume. */
function pausedByOthersOutcome(target: Target, state: ProviderTask, at: string): TargetOutcome {
  const reason = `paused by someone else since it was planned (${state.state}): not ours to hold`;
  return {
    ...settledOutcome(target, { outcome: 'already-paused', reason, stateAfter: state.state }, at),
    notApplied: true,
  };
}

function asProviderError(cause: unknown, provider: Chunk['account']['config']['provider']): ProviderError {
  return cause instanceof ProviderError
    ? cause
    : new ProviderError(cause instanceof Error ? cause.message : String(cause), { errorClass: errorClassOf(cause), provider });
}

function pastStop(deps: ExecuteDeps): boolean {
  return deps.stopBy !== undefined && deps.now().getTime() >= deps.stopBy;
}

/** Turns each target's provider result and read-back into its outcome, or a hand-off when the deadline cut it. */
function settler(command: Command, chunk: Chunk, deps: ExecuteDeps) {
  const startedAt = deps.now().toISOString();
  const wanted = command.action === 'pause' ? isPaused : isNoLongerPaused;
  const failed = (target: Target, error: ProviderError | undefined, reason: string, attempts: number): TargetOutcome =>
    failedOutcome(
      target,
      { reason, errorClass: error?.errorClass ?? 'provider-error', providerCode: error?.providerCode, attempts },
      startedAt,
      deps.now().toISOString(),
    );
  const outcomeOf = (target: Target, result: ActionResult | undefined, seen: ReadBack | undefined): TargetOutcome => {
    if (!result) return failed(target, undefined, 'the adapter returned no result for this task', 1);
    if (!result.ok && !(result.error.maybeApplied && seen && !(seen instanceof ProviderError) && wanted(seen))) {
      if (!result.error.maybeApplied) return failed(target, result.error, result.error.message, result.error.attempts);
      const state = seen instanceof ProviderError || !seen ? undefined : seen;
      const unseen = `, and the task was not seen ${command.action}d within ${chunk.account.capabilities.confirm.deadlineMs} ms (last state: ${state?.state ?? 'unknown'})`;
      // Read back unchanged for the whole confirmation deadline (still running, for a pause): the request did not take
      // effect. Said so, the pause's pending hold is removed at once — left pending, it would claim a task someone
      // pauses by hand later.
      const unchanged =
        state !== undefined && (command.action === 'pause' ? state.phase === 'running' : state.phase === 'paused');
      return {
        ...failed(target, result.error, `${result.error.message}${unseen}`, result.error.attempts),
        ...(state ? { stateAfter: state.state } : {}),
        ...(unchanged ? { notApplied: true as const } : {}),
      };
    }
    if (seen instanceof ProviderError) return failed(target, seen, `accepted, then: ${seen.message}`, seen.attempts);
    if (seen && wanted(seen)) {
      return {
        target,
        outcome: command.action === 'pause' ? 'paused' : 'resumed',
        attempts: 1,
        stateAfter: seen.state,
        startedAt,
        finishedAt: deps.now().toISOString(),
      };
    }
    const deadline = chunk.account.capabilities.confirm.deadlineMs;
    const reason = `accepted but not confirmed ${command.action === 'pause' ? 'paused' : 'resumed'} within ${deadline} ms (last state: ${seen?.state ?? 'unknown'})`;
    return {
      ...failedOutcome(target, { reason, errorClass: 'retryable', attempts: 1 }, startedAt, deps.now().toISOString()),
      ...(seen?.state === undefined ? {} : { stateAfter: seen.state }),
    };
  };
  const settle = (
    results: ReadonlyMap<string, ActionResult>,
    seen: Confirmation,
    items: Chunk['items'] = chunk.items,
    unread: ReadonlySet<string> = new Set(),
    notApplied: ReadonlySet<string> = new Set(),
    refusedNotOurs: ReadonlySet<string> = new Set(),
  ): ChunkResult => {
    const outcomes: TargetOutcome[] = [];
    const handedBack: HandedBack[] = [];
    for (const item of items) {
      const id = item.task.taskId;
      const result = results.get(id);
      if ((mayHaveActed(result) || unread.has(id)) && seen.stopped.has(id)) {
        const last = seen.last.get(id);
        const why = last instanceof ProviderError ? `the read-back kept failing (${last.message})` : undefined;
        const unanswered = result?.ok === false && result.error.maybeApplied === true;
        const refused = refusedNotOurs.has(id) || (item.refused === true && unread.has(id));
        handedBack.push({
          item: { ...item, ...(unanswered ? { unanswered: true } : {}), ...(refused ? { refused: true } : {}) },
          phase: 'confirm',
          ...(why ? { why } : {}),
        });
      }
      // Throttled past the run's time, the call was never carried out: the next delivery makes it.
      else if (result && !result.ok && result.error.outOfTime) handedBack.push({ item, phase: 'act' });
      else {
        const outcome = outcomeOf(item.target, result, seen.last.get(id));
        outcomes.push(outcome.outcome === 'failed' && notApplied.has(id) ? { ...outcome, notApplied: true } : outcome);
      }
    }
    return { outcomes, handedBack };
  };
  return Object.assign(settle, { at: startedAt });
}

/**
 * A `confirm` hand-off: reads back what an earlier delivery asked for, never asks again. Each target's request came
 * to one of three things there: accepted; sent with no answer (it may never have reached the provider, and is judged
 * so when the read-back ends); or refused as if the task were already there, with nothing of ours to explain it.
 * Such a refusal read back paused is someone else's pause (unless a hold of ours covers the task by now); read back
 * elsewhere, the request did nothing.
 */
async function confirmHandedOn(
  command: Command,
  chunk: Chunk,
  deps: ExecuteDeps,
  settle: ReturnType<typeof settler>,
  earlierOfOurs: ReadonlySet<string>,
): Promise<ChunkResult> {
  const session = await deps.sessions.session(chunk.account.config.name).catch(() => undefined);
  // Without a session nothing can be read: hand the chunk on; the hand-off limit settles it eventually.
  if (!session) return { outcomes: [], handedBack: chunk.items.map((item) => ({ item, phase: 'confirm' })) };
  const wanted = command.action === 'pause' ? isPaused : isNoLongerPaused;
  const tookEffect = tookEffectOf(command);
  const ids = chunk.items.map((i) => i.task.taskId);
  const seen = await confirm(session, ids, wanted, chunk.account.capabilities.confirm, deps, 0);
  const provider = chunk.account.config.provider;
  const results = new Map(chunk.items.map((i) => [i.task.taskId, handedOnResult(i, provider)]));
  const refused = new Set(chunk.items.filter((i) => i.refused === true).map((i) => i.task.taskId));
  const others: TargetOutcome[] = [];
  const notApplied = new Set<string>();
  for (const item of chunk.items) {
    const id = item.task.taskId;
    const state = seen.last.get(id);
    if (!refused.has(id) || state === undefined || state instanceof ProviderError) continue;
    if (!tookEffect(state)) notApplied.add(id);
    else if (earlierOfOurs.has(id)) results.set(id, { taskId: id, ok: true });
    else others.push(pausedByOthersOutcome(item.target, state, settle.at));
  }
  const othersIds = new Set(others.map((o) => o.target.taskId));
  const acted = settle(
    results,
    seen,
    chunk.items.filter((i) => !othersIds.has(i.task.taskId)),
    refused,
    notApplied,
  );
  return { outcomes: [...others, ...acted.outcomes], handedBack: acted.handedBack };
}

/** What an earlier delivery's request for a handed-on target came to (see confirmHandedOn). */
function handedOnResult(item: Chunk['items'][number], provider: Chunk['account']['config']['provider']): ActionResult {
  const taskId = item.task.taskId;
  if (item.refused === true) {
    const error = new ProviderError('the provider refused the request (an earlier delivery)', {
      errorClass: 'invalid-state',
      provider,
      taskId,
    });
    return { taskId, ok: false, error };
  }
  if (item.unanswered !== true) return { taskId, ok: true };
  const error = new ProviderError('the request got no answer (an earlier delivery); the provider may have carried it out', {
    errorClass: 'retryable',
    provider,
    taskId,
    maybeApplied: true,
  });
  return { taskId, ok: false, error };
}

/** Where a task read back shows the action took effect: for a pause, paused or on its way there. */
function tookEffectOf(command: Command): (task: ProviderTask) => boolean {
  return command.action === 'pause' ? (t) => isPaused(t) || t.phase === 'pausing' : isNoLongerPaused;
}

/** Accepted, or sent without an answer: the provider may have acted, so the task is read back, not asked again. */
function mayHaveActed(result: ActionResult | undefined): boolean {
  return result !== undefined && (result.ok || result.error.maybeApplied === true);
}

function isPaused(task: ProviderTask): boolean {
  return task.phase === 'paused';
}

function isNoLongerPaused(task: ProviderTask): boolean {
  return task.phase !== 'paused' && task.phase !== 'pausing';
}

/** What a read-back saw of one task: its state, or the error reading it. */
type ReadBack = ProviderTask | ProviderError;

interface Confirmation {
  last: Map<string, ReadBack>;
  /** Ids still pending when `stopBy` came: handed back, not failed. */
  stopped: Set<string>;
}

interface ProviderCallResult {
  session: ProviderSession | undefined;
  results: ActionResult[];
}

async function callProvider(
  command: Command,
  chunk: Chunk,
  sessions: AccountSessions,
  tasks: ProviderTask[],
): Promise<ProviderCallResult> {
  const provider = chunk.account.config.provider;
  let session: ProviderSession | undefined;
  try {
    session = await sessions.session(chunk.account.config.name);
    const call = command.action === 'pause' ? session.pause : session.resume;
    const results = await call.call(session, tasks, command.options);
    return { session, results };
  } catch (cause) {
    const error = asProviderError(cause, provider);
    return { session, results: tasks.map((t) => ({ taskId: t.taskId, ok: false as const, error: error.forTask(t.taskId) })) };
  }
}

/**
 * Reads tasks back every intervalMs until each reached the wanted state, vanished, or the confirmation deadline
 * passed. Reaching `stopBy` first leaves the still-pending ids in `stopped`: they are handed back, not failed.
 */
async function confirm(
  session: ProviderSession,
  ids: readonly string[],
  reached: (task: ProviderTask) => boolean,
  timing: { intervalMs: number; deadlineMs: number },
  deps: ExecuteDeps,
  firstWaitMs = timing.intervalMs,
): Promise<Confirmation> {
  const last = new Map<string, ReadBack>();
  const pending = new Set(ids);
  const deadline = deps.now().getTime() + timing.deadlineMs;
  const stopBy = deps.stopBy ?? Number.POSITIVE_INFINITY;
  for (let wait = firstWaitMs; pending.size > 0; wait = timing.intervalMs) {
    const until = Math.min(deadline, stopBy);
    await deps.sleep(Math.max(0, Math.min(wait, until - deps.now().getTime())));
    if (deps.now().getTime() >= stopBy) return { last, stopped: pending };
    let read: Map<string, ProviderTask | ProviderError>;
    try {
      read = await session.get([...pending]);
    } catch (error) {
      // The provider asks to wait past the run's time: what is left is handed on, as at the deadline.
      if (error instanceof ProviderError && error.outOfTime) return { last, stopped: pending };
      // The account's credentials stay refused (its sessions are cut off): no read will ever come; stop now.
      if (error instanceof ProviderError && error.errorClass === 'auth') {
        for (const id of pending) last.set(id, error);
        break;
      }
      read = new Map(); // a failed read-back is not a failed action: try again until the deadline
    }
    if ([...read.values()].some((state) => state instanceof ProviderError && state.outOfTime)) {
      return { last, stopped: pending };
    }
    for (const [id, state] of read) {
      if (!pending.has(id)) continue;
      last.set(id, state);
      if (state instanceof ProviderError ? state.errorClass === 'not-found' : reached(state)) pending.delete(id);
    }
    // Both may have passed during the read: whichever came first decides (a deadline hands back, a confirmation
    // timeout fails).
    const now = deps.now().getTime();
    if (now >= stopBy && stopBy <= deadline) return { last, stopped: pending };
    if (now >= deadline) break;
  }
  return { last, stopped: unanswered(pending, last) };
}

/**
 * Past the confirmation deadline, the tasks no read-back answered for (each read failed or timed out) are not known
 * to be unconfirmed: the provider accepted the action and may well have carried it out. Like at a deadline, they are
 * handed on to a confirm-only delivery rather than failed. A refused read (credentials) or a task gone is an answer.
 */
function unanswered(pending: ReadonlySet<string>, last: ReadonlyMap<string, ReadBack>): Set<string> {
  return new Set(
    [...pending].filter((id) => {
      const state = last.get(id);
      return (
        state === undefined || (state instanceof ProviderError && state.errorClass !== 'auth' && state.errorClass !== 'not-found')
      );
    }),
  );
}
