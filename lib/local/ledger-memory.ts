import {
  type ClaimResult,
  type HistoryEntry,
  type HistoryFilter,
  type Lease,
  type Ledger,
  type PauseRecord,
  selectHistory,
} from '../core/ledger';
import { type TargetKey, type TargetOutcome, targetKey } from '../core/types';

/** A claim of (scope, target): who holds it until when, and whether it is finished. */
export interface ClaimRecord extends Lease {
  done?: true;
}

export interface LedgerState {
  /** `<targetKey>|<source>` → hold. */
  holds: Record<string, PauseRecord>;
  outcomes: Record<string, Record<TargetKey, TargetOutcome>>;
  /** `<scope>|<targetKey>` → claim. */
  claims: Record<string, ClaimRecord>;
  /** `<targetKey>` → the lease of the one writer changing that target now. */
  leases: Record<TargetKey, Lease>;
}

/** Maps without prototypes: a key such as `__proto__` is data here, never an accessor. */
export function emptyLedgerState(): LedgerState {
  return {
    holds: Object.create(null),
    outcomes: Object.create(null),
    claims: Object.create(null),
    leases: Object.create(null),
  };
}

const holdId = (key: TargetKey, source: string) => `${key}|${source}`;

/**
 * One mutation of the state, as the value it leaves (never a delta): replaying changes in order onto any earlier
 * state gives the same state, and replaying one twice changes nothing. The on-disk ledger journals these.
 */
export type LedgerChange =
  | { op: 'hold'; id: string; hold: PauseRecord }
  | { op: 'unhold'; id: string }
  | { op: 'outcome'; commandId: string; key: TargetKey; outcome: TargetOutcome }
  | { op: 'claim'; id: string; claim: ClaimRecord }
  | { op: 'lease'; key: TargetKey; lease: Lease }
  | { op: 'unlease'; key: TargetKey };

/** Applies one change to a state (the journal replay; the memory ledger's own mutations make the same changes). */
export function applyChange(state: LedgerState, change: LedgerChange): void {
  switch (change.op) {
    case 'hold':
      state.holds[change.id] = change.hold;
      break;
    case 'unhold':
      delete state.holds[change.id];
      break;
    case 'outcome': {
      const byTarget = state.outcomes[change.commandId] ?? Object.create(null);
      byTarget[change.key] = change.outcome;
      state.outcomes[change.commandId] = byTarget;
      break;
    }
    case 'claim':
      state.claims[change.id] = change.claim;
      break;
    case 'lease':
      state.leases[change.key] = change.lease;
      break;
    case 'unlease':
      delete state.leases[change.key];
      break;
  }
}

export interface MemoryLedgerOptions {
  /** The clock leases are judged by (default: the real one). */
  now?: () => Date;
}

/** The ledger kept in this process only: tests, dry runs, and the base of the on-disk ledger. */
export class MemoryLedger implements Ledger {
  protected readonly now: () => Date;

  constructor(
    protected state: LedgerState = emptyLedgerState(),
    options: MemoryLedgerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async recordPause(record: PauseRecord): Promise<void> {
    const id = holdId(record.key, record.source);
    const hold = structuredClone(record);
    this.state.holds[id] = hold;
    this.changed({ op: 'hold', id, hold });
  }

  async holdsOf(keys: readonly TargetKey[]): Promise<PauseRecord[]> {
    const wanted = new Set(keys);
    return Object.values(this.state.holds)
      .filter((h) => wanted.has(h.key))
      .map((r) => structuredClone(r));
  }

  async pausedByUs(): Promise<PauseRecord[]> {
    return Object.values(this.state.holds).map((r) => structuredClone(r));
  }

  async release(key: TargetKey, source?: string): Promise<void> {
    for (const [id, hold] of Object.entries(this.state.holds)) {
      if (hold.key === key && (source === undefined || hold.source === source)) {
        delete this.state.holds[id];
        this.changed({ op: 'unhold', id });
      }
    }
  }

  async acquireLeases(keys: readonly TargetKey[], lease: Lease): Promise<Set<TargetKey>> {
    const acquired = new Set<TargetKey>();
    const now = this.now().getTime();
    for (const key of keys) {
      const current = this.state.leases[key];
      if (current && current.holder !== lease.holder && current.expiresAt > now) continue;
      const taken = { ...lease };
      this.state.leases[key] = taken;
      this.changed({ op: 'lease', key, lease: taken });
      acquired.add(key);
    }
    return acquired;
  }

  async releaseLeases(keys: readonly TargetKey[], holder: string): Promise<void> {
    for (const key of keys) {
      if (this.state.leases[key]?.holder === holder) {
        delete this.state.leases[key];
        this.changed({ op: 'unlease', key });
      }
    }
  }

  async recordOutcome(commandId: string, outcome: TargetOutcome): Promise<void> {
    const change: LedgerChange = { op: 'outcome', commandId, key: targetKey(outcome.target), outcome: structuredClone(outcome) };
    applyChange(this.state, change);
    this.changed(change);
  }

  async outcomesOf(commandId: string): Promise<TargetOutcome[]> {
    return Object.values(this.state.outcomes[commandId] ?? {}).map((o) => structuredClone(o));
  }

  async claim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult> {
    const id = `${scope}|${key}`;
    const current = this.state.claims[id];
    let result: ClaimResult = 'claimed';
    if (current) {
      if (current.done) return 'done';
      if (current.holder === lease.holder) return 'claimed';
      if (current.expiresAt > this.now().getTime()) return 'in-progress';
      result = 'taken-over';
    }
    const claim: ClaimRecord = { ...lease };
    this.state.claims[id] = claim;
    this.changed({ op: 'claim', id, claim });
    return result;
  }

  async finishClaim(scope: string, key: TargetKey): Promise<void> {
    const id = `${scope}|${key}`;
    const current = this.state.claims[id];
    const claim: ClaimRecord = { holder: current?.holder ?? '', expiresAt: current?.expiresAt ?? 0, done: true };
    this.state.claims[id] = claim;
    this.changed({ op: 'claim', id, claim });
  }

  async history(filter: HistoryFilter): Promise<HistoryEntry[]> {
    const all = Object.entries(this.state.outcomes).flatMap(([commandId, byTarget]) =>
      Object.values(byTarget).map((outcome) => ({ commandId, outcome: structuredClone(outcome) })),
    );
    return selectHistory(all, filter);
  }

  async flush(): Promise<void> {}

  /**
   * Called once per mutation, after the state changed, with what changed (the values are the state's own: an
   * override must copy or serialise them before the next mutation). A mutation that changes nothing calls nothing.
   */
  protected changed(_change: LedgerChange): void {}
}
