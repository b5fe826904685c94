import type { Command } from './command';
import { aboutCommand } from './events';
import { settledOutcome, summarize } from './outcome';
import { announce, type RunDeps, runCommand } from './run';
import type { RunResult } from './types';

/** A window fire that falls on one of its blackout dates. */
export interface SkippedFire {
  window: string;
  scheduledTime: string;
  /** The fire's date in the window's zone. */
  localDate: string;
  /** The blackout entry that covers it, as written (`2026-12-25`, `2026-12-31..2027-01-02 (year end)`). */
  blackout: string;
}

/**
 * A window pause on a blackout date: planned (the tasks it would have paused are listed, nothing is changed), and
 * each target recorded as `skipped` with the blackout as its reason, so `history --command` and `history --task`
 * show the fire and why nothing happened. A redelivered fire records the same outcomes again.
 */
export async function skipCommand(command: Command, fire: SkippedFire, deps: RunDeps): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const { plan } = await runCommand({ ...command, dryRun: true }, { ...deps, events: undefined });
  const reason = `window ${fire.window} does not fire on ${fire.localDate} (blackout ${fire.blackout})`;
  const at = now().toISOString();
  const outcomes = plan.targets.map(({ target }) => settledOutcome(target, { outcome: 'skipped', reason }, at));
  await deps.ledger.recordOutcomes(command.commandId, outcomes);
  await deps.ledger.flush();
  const summary = summarize(command, plan, outcomes, startedAt, now());
  await announce(deps, [
    {
      detailType: 'Window Skipped',
      detail: {
        ...aboutCommand(command),
        window: fire.window,
        scheduledTime: fire.scheduledTime,
        localDate: fire.localDate,
        blackout: fire.blackout,
        summary,
      },
    },
  ]);
  return { plan: { ...plan, command }, outcomes, summary };
}
