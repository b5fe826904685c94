import type { Command } from './command';
import { InvariantError } from './errors';
import type { OutcomeKind, Plan, Summary, TargetOutcome } from './types';

type Counts = Partial<Record<OutcomeKind | 'planned', number>>;

/** Counts per provider and outcome. For a dry run, targets that would be acted on count as `planned`. */
export function summarize(
  command: Command,
  plan: Plan,
  outcomes: readonly TargetOutcome[] | undefined,
  startedAt: Date,
  finishedAt: Date,
): Summary {
  const byProvider: Summary['byProvider'] = {};
  const totals: Counts = {};
  const add = (provider: keyof Summary['byProvider'], kind: OutcomeKind | 'planned') => {
    const counts: Counts = byProvider[provider] ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    byProvider[provider] = counts;
    totals[kind] = (totals[kind] ?? 0) + 1;
  };
  if (outcomes) {
    for (const o of outcomes) add(o.target.provider, o.outcome);
  } else {
    for (const t of plan.targets) add(t.target.provider, t.decision.kind === 'act' ? 'planned' : t.decision.outcome);
  }
  return {
    commandId: command.commandId,
    action: command.action,
    dryRun: command.dryRun,
    targets: plan.targets.length,
    byProvider,
    totals,
    accountFailures: plan.accountFailures,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 10) / 100,
  };
}

/** Every target ends in exactly one outcome: checked on every run, not only in tests. */
export function assertOneOutcomePerTarget(plan: Plan, outcomes: readonly TargetOutcome[]): void {
  const expected = new Set(plan.targets.map((t) => `${t.target.provider}/${t.target.account}/${t.target.taskId}`));
  const seen = new Set<string>();
  for (const o of outcomes) {
    const key = `${o.target.provider}/${o.target.account}/${o.target.taskId}`;
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
