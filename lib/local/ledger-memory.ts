import { type HistoryEntry, type HistoryFilter, type Ledger, type PauseRecord, selectHistory } from '../core/ledger';
import { type TargetKey, type TargetOutcome, targetKey } from '../core/types';

export interface LedgerState {
  /** `<targetKey>|<source>` → hold. */
  holds: Record<string, PauseRecord>;
  outcomes: Record<string, Record<TargetKey, TargetOutcome>>;
  /** `<commandId>|<targetKey>` → when it was claimed. */
  claims: Record<string, string>;
}

export function emptyLedgerState(): LedgerState {
  return { holds: {}, outcomes: {}, claims: {} };
}

const holdId = (key: TargetKey, source: string) => `${key}|${source}`;

/** The ledger kept in this process only: tests, dry runs, and the base of the on-disk ledger. */
export class MemoryLedger implements Ledger {
  constructor(protected state: LedgerState = emptyLedgerState()) {}

  async recordPause(record: PauseRecord): Promise<void> {
    this.state.holds[holdId(record.key, record.source)] = structuredClone(record);
    this.changed();
  }

  async pausedByUs(): Promise<PauseRecord[]> {
    return Object.values(this.state.holds).map((r) => structuredClone(r));
  }

  async release(key: TargetKey, source?: string): Promise<void> {
    for (const [id, hold] of Object.entries(this.state.holds)) {
      if (hold.key === key && (source === undefined || hold.source === source)) delete this.state.holds[id];
    }
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

  async claim(commandId: string, key: TargetKey): Promise<boolean> {
    const id = `${commandId}|${key}`;
    if (this.state.claims[id] !== undefined) return false;
    this.state.claims[id] = new Date().toISOString();
    this.changed();
    return true;
  }

  async isClaimed(commandId: string, key: TargetKey): Promise<boolean> {
    return this.state.claims[`${commandId}|${key}`] !== undefined;
  }

  async history(filter: HistoryFilter): Promise<HistoryEntry[]> {
    const all = Object.entries(this.state.outcomes).flatMap(([commandId, byTarget]) =>
      Object.values(byTarget).map((outcome) => ({ commandId, outcome: structuredClone(outcome) })),
    );
    return selectHistory(all, filter);
  }

  async flush(): Promise<void> {}

  protected changed(): void {}
}
