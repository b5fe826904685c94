import { defaultSleep } from '../http/rate-limiter';
import type { Command } from './command';
import { releasesHold } from './decide';
import { chunkPlan, runChunks } from './dispatch';
import { executeChunk } from './execute';
import { accountFailure, type FailureSink, targetFailure } from './failures';
import type { Ledger } from './ledger';
import { assertOneOutcomePerTarget, summarize } from './outcome';
import { planPause, planResume } from './plan';
import type { AccountSessions } from './sessions';
import { type Plan, type RunResult, type TargetOutcome, targetKey } from './types';

export interface RunDeps {
  sessions: AccountSessions;
  ledger: Ledger;
  failures: FailureSink;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Chunks of one account in flight at once (default 8); the account's rate limiter paces the calls. */
  chunksPerAccount?: number;
  /** Called as each target gets its outcome (progress bars, logs). */
  onOutcome?: (outcome: TargetOutcome) => void;
}

/** Plans a command, then (unless it is a dry run) dispatches and executes it in this process. */
export async function runCommand(command: Command, deps: RunDeps): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const plan =
    command.action === 'pause' ? await planPause(command, deps.sessions) : await planResume(command, deps.sessions, deps.ledger);
  if (command.dryRun) return { plan, outcomes: [], summary: summarize(command, plan, undefined, startedAt, now()) };

  const outcomes = await executePlan(command, plan, { ...deps, now, sleep: deps.sleep ?? defaultSleep });
  assertOneOutcomePerTarget(plan, outcomes);
  const finishedAt = now();
  await deps.failures.send(plan.accountFailures.map((f) => accountFailure(command, f, finishedAt.toISOString())));
  await deps.ledger.flush();
  return { plan, outcomes, summary: summarize(command, plan, outcomes, startedAt, finishedAt) };
}

async function executePlan(
  command: Command,
  plan: Plan,
  deps: RunDeps & { now: () => Date; sleep: (ms: number) => Promise<void> },
): Promise<TargetOutcome[]> {
  const outcomes: TargetOutcome[] = [];
  const record = async (batch: TargetOutcome[]) => {
    for (const outcome of batch) {
      await applyToLedger(command, outcome, deps.ledger);
      await deps.ledger.recordOutcome(command.commandId, outcome);
      deps.onOutcome?.(outcome);
    }
    await deps.failures.send(batch.filter((o) => o.outcome === 'failed').map((o) => targetFailure(command, o)));
    outcomes.push(...batch);
  };

  const at = deps.now().toISOString();
  const settled: TargetOutcome[] = [];
  for (const { target, decision } of plan.targets) {
    if (decision.kind !== 'settled') continue;
    settled.push({
      target,
      outcome: decision.outcome,
      reason: decision.reason,
      errorClass: decision.errorClass,
      providerCode: decision.providerCode,
      attempts: 0,
      startedAt: at,
      finishedAt: at,
    });
    if (command.action === 'resume' && releasesHold(decision)) await deps.ledger.release(targetKey(target));
  }
  await record(settled);

  const chunks = chunkPlan(plan.targets, deps.sessions);
  await runChunks(chunks, deps.chunksPerAccount ?? 8, async (chunk) => {
    await record(await executeChunk(command, chunk, deps));
    await deps.ledger.flush();
  });
  return outcomes;
}

/** Pausing places our hold on a target; resuming it ends the hold. */
async function applyToLedger(command: Command, outcome: TargetOutcome, ledger: Ledger): Promise<void> {
  if (outcome.outcome === 'paused') {
    await ledger.recordPause({
      key: targetKey(outcome.target),
      target: outcome.target,
      commandId: command.commandId,
      reason: command.reason,
      requestedBy: command.requestedBy,
      pausedAt: outcome.finishedAt,
    });
  } else if (outcome.outcome === 'resumed') {
    await ledger.release(targetKey(outcome.target));
  }
}
