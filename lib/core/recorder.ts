import type { Command } from './command';
import { type FailureSink, targetFailure } from './failures';
import { inParallel } from './holds';
import type { Ledger } from './ledger';
import { type TargetOutcome, targetKey } from './types';

export interface RecorderDeps {
  ledger: Ledger;
  failures: FailureSink;
  /** Called as each target gets its outcome (progress bars, logs). */
  onOutcome?: (outcome: TargetOutcome) => void;
}

export interface Recorder {
  /**
   * Records a batch of outcomes: failures are sent to the failures queue *first*, then the outcomes are written and
   * (with a claim scope) their claims finished. A crash or a failing send in between leaves the claims unfinished,
   * so the target is tried again rather than reported as recorded while no human ever saw its failure. A failure
   * can thus reach the queue twice; each message carries the command id and the target for de-duplication.
   */
  (batch: readonly TargetOutcome[], claimScope?: string): Promise<void>;
  /** Outcomes another delivery already recorded: reported to the caller, never written or sent again. */
  report(batch: readonly TargetOutcome[]): void;
  /** Everything recorded or reported so far. */
  readonly outcomes: TargetOutcome[];
}

export function createRecorder(command: Command, deps: RecorderDeps): Recorder {
  const outcomes: TargetOutcome[] = [];
  const record = async (batch: readonly TargetOutcome[], claimScope?: string) => {
    if (batch.length === 0) return;
    await deps.failures.send(batch.filter((o) => o.outcome === 'failed').map((o) => targetFailure(command, o)));
    await deps.ledger.recordOutcomes(command.commandId, batch);
    // Recording an outcome finishes the claim in the command's own scope; a hand-off's scope is finished apart.
    if (claimScope !== undefined && claimScope !== command.commandId) {
      await inParallel(batch, (outcome) => deps.ledger.finishClaim(claimScope, targetKey(outcome.target)));
    }
    for (const outcome of batch) deps.onOutcome?.(outcome);
    outcomes.push(...batch);
  };
  const report = (batch: readonly TargetOutcome[]) => {
    for (const outcome of batch) deps.onOutcome?.(outcome);
    outcomes.push(...batch);
  };
  return Object.assign(record, { report, outcomes });
}
