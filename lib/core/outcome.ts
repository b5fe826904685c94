import type { Command } from './command';
import type { Chunk } from './dispatch';
import { type ErrorClass, InvariantError } from './errors';
import { type Decision, type Plan, type Summary, type Target, type TargetOutcome, targetKey } from './types';

type Counts = Summary['totals'];

/** Counts per provider and outcome. For a dry run, targets that would be acted on count as `planned`. */
export function summarize(
  command: Command,
  plan: Plan,
  outcomes: readonly TargetOutcome[] | undefined,
  startedAt: Date,
  finishedAt: Date,
  dispatched: readonly Chunk[] = [],
): Summary {
  const tally = new Tally();
  if (outcomes) {
    tally.addOutcomes(outcomes);
    tally.addDispatched(dispatched);
  } else {
    for (const { target, decision } of plan.targets) {
      tally.add(
        target.provider,
        decision.kind === 'act' ? 'planned' : decision.kind === 'hold' ? 'already-paused' : decision.outcome,
      );
    }
  }
  return tally.summary(command, plan.targets.length, plan.accountFailures, startedAt, finishedAt);
}

/** A summary's counts, added up as targets get outcomes or are dispatched (a plan sent page by page is never whole). */
export class Tally {
  private readonly byProvider: Summary['byProvider'] = {};
  private readonly totals: Counts = {};

  add(provider: Target['provider'], kind: keyof Counts): void {
    const counts: Counts = this.byProvider[provider] ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.byProvider[provider] = counts;
    this.totals[kind] = (this.totals[kind] ?? 0) + 1;
  }

  addOutcomes(outcomes: readonly TargetOutcome[]): void {
    for (const o of outcomes) this.add(o.target.provider, o.outcome);
  }

  addDispatched(chunks: readonly Chunk[]): void {
    for (const chunk of chunks) for (const i of chunk.items) this.add(i.target.provider, 'dispatched');
  }

  summary(
    command: Command,
    targets: number,
    accountFailures: Plan['accountFailures'],
    startedAt: Date,
    finishedAt: Date,
  ): Summary {
    return {
      commandId: command.commandId,
      action: command.action,
      dryRun: command.dryRun,
      targets,
      byProvider: this.byProvider,
      totals: this.totals,
      accountFailures,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 10) / 100,
    };
  }
}

/** Every target ends in exactly one outcome: checked on every run, not only in tests. */
export function assertOneOutcomePerTarget(
  plan: Plan,
  outcomes: readonly TargetOutcome[],
  /** Targets handed to the work queues: their outcomes are recorded by the workers. */
  dispatched: readonly Target[] = [],
): void {
  const expected = new Set(plan.targets.map((t) => targetKey(t.target)));
  const seen = new Set<string>();
  for (const o of [...outcomes.map((x) => x.target), ...dispatched]) {
    const key = targetKey(o);
    if (!expected.has(key)) throw new InvariantError(`outcome for a target that was not planned: ${key}`);
    if (seen.has(key)) throw new InvariantError(`two outcomes for one target: ${key}`);
    seen.add(key);
  }
  if (seen.size !== expected.size) {
    throw new InvariantError(`${expected.size - seen.size} of ${expected.size} targets have no outcome`);
  }
}

/** Whether any target or account failed: the CLI's exit code and the incident reply hang on this. */
export function hasFailures(summary: Summary): boolean {
  return (summary.totals.failed ?? 0) > 0 || summary.accountFailures.length > 0;
}

/** What a failed target records: why, its error class, the provider's code, and how many calls it took. */
export interface Failure {
  reason: string;
  errorClass: ErrorClass;
  providerCode?: string;
  attempts: number;
}

/** The one way a `failed` outcome is made. */
export function failedOutcome(target: Target, failure: Failure, startedAt: string, finishedAt = startedAt): TargetOutcome {
  return {
    target,
    outcome: 'failed',
    reason: failure.reason,
    errorClass: failure.errorClass,
    ...(failure.providerCode === undefined ? {} : { providerCode: failure.providerCode }),
    attempts: failure.attempts,
    startedAt,
    finishedAt,
  };
}

/** The one way an outcome decided without a provider call (skipped, already-…, unsupported, failed) is made. */
export function settledOutcome(target: Target, decision: SettledDecision, at: string, attempts = 0): TargetOutcome {
  return {
    target,
    outcome: decision.outcome,
    reason: decision.reason,
    ...(decision.errorClass === undefined ? {} : { errorClass: decision.errorClass }),
    ...(decision.providerCode === undefined ? {} : { providerCode: decision.providerCode }),
    ...(decision.stateAfter === undefined ? {} : { stateAfter: decision.stateAfter }),
    attempts,
    startedAt: at,
    finishedAt: at,
  };
}

export type SettledDecision = Pick<
  Extract<Decision, { kind: 'settled' }>,
  'outcome' | 'reason' | 'errorClass' | 'providerCode'
> & {
  stateAfter?: string;
};
