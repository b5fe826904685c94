import type { Ledger, PauseRecord } from '../core/ledger';
import { type TargetKey, type TargetOutcome, targetKey } from '../core/types';

export interface LedgerState {
  holds: Record<TargetKey, PauseRecord>;
  outcomes: Record<string, Record<TargetKey, TargetOutcome>>;
}

export function emptyLedgerState(): LedgerState {
  return { holds: {}, outcomes: {} };
}

/** The ledger kept in this process only: tests, dry runs, and the base of the on-disk ledger. */
export class MemoryLedger implements Ledger {
  constructor(protected state: LedgerState = emptyLedgerState()) {}

  async recordPause(record: PauseRecord): Promise<void> {
    this.state.holds[record.key] = structuredClone(record);
    this.changed();
  }

  async pausedByUs(): Promise<PauseRecord[]> {
    return Object.values(this.state.holds).map((r) => structuredClone(r));
  }

  async release(key: TargetKey): Promise<void> {
    delete this.state.holds[key];
    this.changed();
  }

  async recordOutcome(commandId: string, outcome: TargetOutcome): Promise<void> {
    const byTarget = this.state.outcomes[commandId] ?? {};
    byTarget[targetKey(outcome.target)] = structuredClone(outcome);
    this.state.outcomes[commandId] = byTarget;
    this.changed();
  }

  async outcomesOf(commandId: string): Promise<TargetOutcome[]> {
    return Object.values(this.state.outcomes[commandId] ?? {}).map((o) => structuredClone(o));
  }

  async flush(): Promise<void> {}

  protected changed(): void {}
}
