import type { ActionResult, ProviderSession, ProviderTask } from '../providers/types';
import type { Command } from './command';
import type { Chunk } from './dispatch';
import { ProviderError } from './errors';
import type { AccountSessions } from './sessions';
import type { Target, TargetOutcome } from './types';

export interface ExecuteDeps {
  sessions: AccountSessions;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Executes one chunk: one adapter call (batched where the provider allows), one secret refresh if the
 * provider rejects our credentials, then reads the tasks back until each reaches the wanted state or the
 * confirmation deadline passes. Returns exactly one outcome per target; never throws for a provider problem.
 */
export async function executeChunk(command: Command, chunk: Chunk, deps: ExecuteDeps): Promise<TargetOutcome[]> {
  const startedAt = deps.now().toISOString();
  const name = chunk.account.config.name;
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

  let calls = await callProvider(
    command,
    chunk,
    deps.sessions,
    chunk.items.map((i) => i.task),
  );
  const authFailed = calls.results.filter((r) => !r.ok && r.error.errorClass === 'auth').map((r) => r.taskId);
  if (authFailed.length && (await deps.sessions.refreshAfterAuthFailure(name).catch(() => false))) {
    const retried = await callProvider(
      command,
      chunk,
      deps.sessions,
      chunk.items.filter((i) => authFailed.includes(i.task.taskId)).map((i) => i.task),
    );
    const byId = new Map(retried.results.map((r) => [r.taskId, r]));
    calls = { session: retried.session, results: calls.results.map((r) => byId.get(r.taskId) ?? r) };
  }

  const resultById = new Map(calls.results.map((r) => [r.taskId, r]));
  const accepted = chunk.items.filter((i) => resultById.get(i.task.taskId)?.ok).map((i) => i.task.taskId);
  const wanted = command.action === 'pause' ? isPaused : isNoLongerPaused;
  const confirmation =
    calls.session && accepted.length
      ? await confirm(calls.session, accepted, wanted, chunk.account.capabilities.confirm, deps)
      : new Map<string, ProviderTask | ProviderError | undefined>();

  return chunk.items.map(({ target }) => {
    const result = resultById.get(target.taskId);
    if (!result) return failed(target, undefined, 'the adapter returned no result for this task', 1);
    if (!result.ok) return failed(target, result.error, result.error.message, result.error.attempts);
    const seen = confirmation.get(target.taskId);
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
  });
}

function isPaused(task: ProviderTask): boolean {
  return task.phase === 'paused';
}

function isNoLongerPaused(task: ProviderTask): boolean {
  return task.phase !== 'paused' && task.phase !== 'pausing';
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
            errorClass: cause instanceof Error && cause.name === 'SecretError' ? 'auth' : 'provider-error',
            provider,
          });
    return { session, results: tasks.map((t) => ({ taskId: t.taskId, ok: false as const, error: error.forTask(t.taskId) })) };
  }
}

/** Reads tasks back every intervalMs until each reached the wanted state, vanished, or the deadline passed. */
async function confirm(
  session: ProviderSession,
  ids: readonly string[],
  reached: (task: ProviderTask) => boolean,
  timing: { intervalMs: number; deadlineMs: number },
  deps: ExecuteDeps,
): Promise<Map<string, ProviderTask | ProviderError | undefined>> {
  const last = new Map<string, ProviderTask | ProviderError | undefined>();
  const pending = new Set(ids);
  const deadline = deps.now().getTime() + timing.deadlineMs;
  while (pending.size > 0) {
    await deps.sleep(Math.max(0, Math.min(timing.intervalMs, deadline - deps.now().getTime())));
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
  return last;
}
