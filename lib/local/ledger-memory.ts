import {
  applyHoldChange,
  type ClaimResult,
  type HistoryEntry,
  type HistoryFilter,
  type HoldChange,
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
      // The outcome finishes the claim in the command's own scope, and stands for it: no claim record is kept.
      delete state.claims[`${change.commandId}|${change.key}`];
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

/**
 * One copy of each repeated string. Bounded: past its size it starts again (strings already shared stay shared;
 * a value seen once more is stored once more), so unique values cannot make it grow without end.
 */
export class Interner {
  private readonly seen = new Map<string, string>();

  constructor(private readonly max = 20_000) {}

  of(value: string): string {
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    if (this.seen.size >= this.max) this.seen.clear();
    this.seen.set(value, value);
    return value;
  }
}

/** Holds per listing page: what a caller handles at once when it walks every hold. */
const PAGE_SIZE = 1_000;

/** The ledger kept in this process only: tests, dry runs, and the base of the on-disk ledger. */
export class MemoryLedger implements Ledger {
  protected readonly now: () => Date;
  /**
   * Hold ids by target and by source, so that a chunk's or a source's holds are found without a walk of all. A
   * target has one hold or a few: a small array costs a fraction of a Set, which counts at 100,000 targets.
   */
  private readonly byTarget = new Map<TargetKey, string[]>();
  private readonly bySource = new Map<string, Set<string>>();
  /** The values records repeat (source, command, reason, account, state, times): one copy each, not one per record. */
  protected readonly strings = new Interner();

  constructor(
    protected state: LedgerState = emptyLedgerState(),
    options: MemoryLedgerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    for (const [id, hold] of Object.entries(state.holds)) this.index(id, hold);
  }

  async recordPause(record: PauseRecord): Promise<void> {
    this.putHold(this.compactHold(record));
  }

  async holdsOf(keys: readonly TargetKey[]): Promise<PauseRecord[]> {
    return [...new Set(keys)].flatMap((key) => this.holdsAt(key)).map((h) => structuredClone(h));
  }

  async *holdsOfSource(source: string): AsyncIterable<PauseRecord[]> {
    yield* this.pages([...(this.bySource.get(source) ?? [])]);
  }

  async *allHolds(): AsyncIterable<PauseRecord[]> {
    yield* this.pages(Object.keys(this.state.holds));
  }

  async pausedByUs(): Promise<PauseRecord[]> {
    return Object.values(this.state.holds).map((r) => structuredClone(r));
  }

  async release(key: TargetKey, source?: string): Promise<void> {
    for (const hold of this.holdsAt(key)) {
      if (source === undefined || hold.source === source) this.dropHold(holdId(key, hold.source));
    }
  }

  async acquireLeases(keys: readonly TargetKey[], lease: Lease): Promise<Map<TargetKey, PauseRecord[]>> {
    const acquired = new Map<TargetKey, PauseRecord[]>();
    const now = this.now().getTime();
    for (const key of new Set(keys)) {
      const current = this.state.leases[key];
      if (current && current.holder !== lease.holder && current.expiresAt > now) continue;
      const taken = { holder: this.strings.of(lease.holder), expiresAt: lease.expiresAt };
      this.state.leases[key] = taken;
      this.changed({ op: 'lease', key, lease: taken });
      acquired.set(
        key,
        this.holdsAt(key).map((h) => structuredClone(h)),
      );
    }
    return acquired;
  }

  async changeHolds(holder: string, changes: readonly HoldChange[], options: { releaseLease: boolean }): Promise<void> {
    for (const change of changes) {
      if (this.state.leases[change.key]?.holder !== holder) continue;
      const before = this.holdsAt(change.key);
      const after = applyHoldChange(before, change);
      const kept = new Set(after.map((h) => h.source));
      for (const hold of before) if (!kept.has(hold.source)) this.dropHold(holdId(change.key, hold.source));
      for (const hold of change.put ?? []) this.putHold(this.compactHold(hold));
      if (options.releaseLease) {
        delete this.state.leases[change.key];
        this.changed({ op: 'unlease', key: change.key });
      }
    }
  }

  async releaseLeases(keys: readonly TargetKey[], holder: string): Promise<void> {
    for (const key of keys) {
      if (this.state.leases[key]?.holder === holder) {
        delete this.state.leases[key];
        this.changed({ op: 'unlease', key });
      }
    }
  }

  async recordOutcomes(commandId: string, outcomes: readonly TargetOutcome[]): Promise<void> {
    for (const outcome of outcomes) {
      const key = targetKey(outcome.target);
      const change: LedgerChange = { op: 'outcome', commandId, key, outcome: this.compactOutcome(outcome) };
      applyChange(this.state, change);
      this.changed(change);
    }
  }

  async outcomesOf(commandId: string): Promise<TargetOutcome[]> {
    return Object.values(this.state.outcomes[commandId] ?? {}).map((o) => structuredClone(o));
  }

  async claim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult> {
    if (this.state.outcomes[scope]?.[key]) return 'done';
    const id = `${scope}|${key}`;
    const current = this.state.claims[id];
    let result: ClaimResult = 'claimed';
    if (current) {
      if (current.done) return 'done';
      if (current.holder === lease.holder) return 'claimed';
      if (current.expiresAt > this.now().getTime()) return 'in-progress';
      result = 'taken-over';
    }
    const claim: ClaimRecord = { holder: this.strings.of(lease.holder), expiresAt: lease.expiresAt };
    this.state.claims[id] = claim;
    this.changed({ op: 'claim', id, claim });
    return result;
  }

  async finishClaim(scope: string, key: TargetKey): Promise<void> {
    if (this.state.outcomes[scope]?.[key]) return;
    const id = `${scope}|${key}`;
    const current = this.state.claims[id];
    if (current?.done) return;
    const claim: ClaimRecord = { holder: '', expiresAt: current?.expiresAt ?? 0, done: true };
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

  private holdsAt(key: TargetKey): PauseRecord[] {
    return (this.byTarget.get(key) ?? []).flatMap((id) => this.state.holds[id] ?? []);
  }

  /** A copy of a hold to keep: its repeated values shared with every other record's. */
  protected compactHold(record: PauseRecord): PauseRecord {
    const hold = structuredClone(record);
    const s = this.strings;
    hold.source = s.of(hold.source);
    hold.commandId = s.of(hold.commandId);
    hold.reason = s.of(hold.reason);
    hold.requestedBy = s.of(hold.requestedBy);
    hold.pausedAt = s.of(hold.pausedAt);
    if (hold.until !== undefined) hold.until = s.of(hold.until);
    hold.target = this.compactTarget(hold.target);
    return hold;
  }

  /** A copy of an outcome to keep, as compactHold. */
  protected compactOutcome(outcome: TargetOutcome): TargetOutcome {
    const kept = structuredClone(outcome);
    const s = this.strings;
    if (kept.reason !== undefined) kept.reason = s.of(kept.reason);
    if (kept.stateAfter !== undefined) kept.stateAfter = s.of(kept.stateAfter);
    if (kept.providerCode !== undefined) kept.providerCode = s.of(kept.providerCode);
    kept.startedAt = s.of(kept.startedAt);
    kept.finishedAt = s.of(kept.finishedAt);
    kept.target = this.compactTarget(kept.target);
    return kept;
  }

  private compactTarget(target: PauseRecord['target']): PauseRecord['target'] {
    const s = this.strings;
    target.provider = s.of(target.provider) as typeof target.provider;
    target.account = s.of(target.account);
    target.stateBefore = s.of(target.stateBefore);
    target.phaseBefore = s.of(target.phaseBefore) as typeof target.phaseBefore;
    return target;
  }

  private putHold(hold: PauseRecord): void {
    const id = holdId(hold.key, hold.source);
    this.state.holds[id] = hold;
    this.index(id, hold);
    this.changed({ op: 'hold', id, hold });
  }

  private dropHold(id: string): void {
    const hold = this.state.holds[id];
    if (!hold) return;
    delete this.state.holds[id];
    const ofTarget = (this.byTarget.get(hold.key) ?? []).filter((other) => other !== id);
    if (ofTarget.length) this.byTarget.set(hold.key, ofTarget);
    else this.byTarget.delete(hold.key);
    this.bySource.get(hold.source)?.delete(id);
    if (this.bySource.get(hold.source)?.size === 0) this.bySource.delete(hold.source);
    this.changed({ op: 'unhold', id });
  }

  private index(id: string, hold: PauseRecord): void {
    const ofTarget = this.byTarget.get(hold.key);
    if (!ofTarget) this.byTarget.set(hold.key, [id]);
    else if (!ofTarget.includes(id)) ofTarget.push(id);
    const ofSource = this.bySource.get(hold.source) ?? new Set<string>();
    ofSource.add(id);
    this.bySource.set(hold.source, ofSource);
  }

  private *pages(ids: readonly string[]): Generator<PauseRecord[]> {
    for (let i = 0; i < ids.length; i += PAGE_SIZE) {
      const page = ids.slice(i, i + PAGE_SIZE).flatMap((id) => this.state.holds[id] ?? []);
      if (page.length) yield page.map((h) => structuredClone(h));
    }
  }
}
