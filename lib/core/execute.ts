import type { ActionResult, ProviderSession, ProviderTask } from '../providers/types';
import type { Command } from './command';
import type { Chunk } from './dispatch';
import { errorClassOf, ProviderError } from './errors';
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
 * What a chunk left undone at the deadline, and where the next attempt starts: `act` (no provider call was made
 * for it) or `confirm` (the provider accepted the action; only the read-back is missing, so it must not be sent
 * again).
 */
export type HandoffPhase = 'act' | 'confirm';

export interface HandedBack {
  item: Chunk['items'][number];
  phase: HandoffPhase;
}

export interface ChunkResult {
  outcomes: TargetOutcome[];
  handedBack: HandedBack[];
}

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
): Promise<ChunkResult> {
  if (pastStop(deps)) return { outcomes: [], handedBack: chunk.items.map((item) => ({ item, phase })) };
  const settle = settler(command, chunk, deps);
  const wanted = command.action === 'pause' ? isPaused : isNoLongerPaused;
  const timing = chunk.account.capabilities.confirm;

  if (phase === 'confirm') {
    const session = await deps.sessions.session(chunk.account.config.name).catch(() => undefined);
    // Without a session nothing can be read: hand the chunk on; the hand-off limit settles it eventually.
    if (!session) return { outcomes: [], handedBack: chunk.items.map((item) => ({ item, phase })) };
    const ids = chunk.items.map((i) => i.task.taskId);
    const seen = await confirm(session, ids, wanted, timing, deps, 0);
    return settle(new Map(ids.map((id) => [id, { taskId: id, ok: true as const }])), seen);
  }

  const name = chunk.account.config.name;
  let calls = await callProvider(
    command,
    chunk,
    deps.sessions,
    chunk.items.map((i) => i.task),
  );
  const authFailed = calls.results.filter((r) => !r.ok && r.error.errorClass === 'auth').map((r) => r.taskId);
  if (authFailed.length && !pastStop(deps) && (await deps.sessions.refreshAfterAuthFailure(name).catch(() => false))) {
    const retried = await callProvider(
      command,
      chunk,
      deps.sessions,
      chunk.items.filter((i) => authFailed.includes(i.task.taskId)).map((i) => i.task),
    );
    const byId = new Map(retried.results.map((r) => [r.taskId, r]));
    calls = { session: retried.session, results: calls.results.map((r) => byId.get(r.taskId) ?? r) };
  }

  const results = new Map(calls.results.map((r) => [r.taskId, r]));
  const accepted = chunk.items.filter((i) => results.get(i.task.taskId)?.ok).map((i) => i.task.taskId);
  const seen =
    calls.session && accepted.length
      ? await confirm(calls.session, accepted, wanted, timing, deps)
      : { last: new Map(), stopped: new Set<string>() };
  return settle(results, seen);
}

function pastStop(deps: ExecuteDeps): boolean {
  return deps.stopBy !== undefined && deps.now().getTime() >= deps.stopBy;
}

/** Turns each target's provider result and read-back into its outcome, or a hand-off when the deadline cut it. */
function settler(command: Command, chunk: Chunk, deps: ExecuteDeps) {
  const startedAt = deps.now().toISOString();
  const wanted = command.action === 'pause' ? isPaused : isNoLongerPaused;
  const done = (target: Target, rest: Omit<TargetOutcome, 'target' | 'startedAt' | 'finishedAt'>): TargetOutcome => ({
    target,
    startedAt,
    finishedAt: deps.now().toISOString(),
    ...rest,
  });
  const failed = (target: Target, error: ProviderError | undefined, reason: string, attempts: number): TargetOutcome =>
    done(target, {
      outcome: 'failed',
      reason,
      errorClass: error?.errorClass ?? 'provider-error',
      providerCode: error?.providerCode,
      attempts,
    });
  const outcomeOf = (target: Target, result: ActionResult | undefined, seen: ReadBack | undefined): TargetOutcome => {
    if (!result) return failed(target, undefined, 'the adapter returned no result for this task', 1);
    if (!result.ok) return failed(target, result.error, result.error.message, result.error.attempts);
    if (seen instanceof ProviderError) return failed(target, seen, `accepted, then: ${seen.message}`, seen.attempts);
    if (seen && wanted(seen)) {
      return done(target, { outcome: command.action === 'pause' ? 'paused' : 'resumed', attempts: 1, stateAfter: seen.state });
    }
    const deadline = chunk.account.capabilities.confirm.deadlineMs;
    return done(target, {
      outcome: 'failed',
      reason: `accepted but not confirmed ${command.action === 'pause' ? 'paused' : 'resumed'} within ${deadline} ms (last state: ${seen?.state ?? 'unknown'})`,
      errorClass: 'retryable',
      attempts: 1,
      stateAfter: seen?.state,
    });
  };
  return (results: ReadonlyMap<string, ActionResult>, seen: Confirmation): ChunkResult => {
    const outcomes: TargetOutcome[] = [];
    const handedBack: HandedBack[] = [];
    for (const item of chunk.items) {
      const id = item.task.taskId;
      const result = results.get(id);
      if (result?.ok && seen.stopped.has(id)) handedBack.push({ item, phase: 'confirm' });
      else outcomes.push(outcomeOf(item.target, result, seen.last.get(id)));
    }
    return { outcomes, handedBack };
  };
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
    const error =
      cause instanceof ProviderError
        ? cause
        : new ProviderError(cause instanceof Error ? cause.message : String(cause), {
            errorClass: errorClassOf(cause),
            provider,
          });
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
    } catch {
      read = new Map(); // a failed read-back is not a failed action: try again until the deadline
    }
    for (const [id, state] of read) {
      if (!pending.has(id)) continue;
      last.set(id, state);
      if (state instanceof ProviderError ? state.errorClass === 'not-found' : reached(state)) pending.delete(id);
    }
    if (deps.now().getTime() >= deadline) break;
  }
  return { last, stopped: new Set() };
}
