import { AsyncLocalStorage } from 'node:async_hooks';
import type { FailureMessage, FailureSink } from '../lib/core/failures';
import type { ClaimResult, HistoryEntry, HistoryFilter, HoldChange, Lease, Ledger, PauseRecord } from '../lib/core/ledger';
import type { TargetKey, TargetOutcome } from '../lib/core/types';
import { MemoryLedger } from '../lib/local/ledger-memory';

/** Thrown by every ledger call of a worker the soak killed: a dead process does nothing more. */
export class SoakKill extends Error {
  override name = 'SoakKill';
}

/** A ledger write that failed (throttled table, network blip): the delivery throws and its message comes back. */
export class InjectedLedgerFault extends Error {
  override name = 'InjectedLedgerFault';
}

/** A failures-queue send that failed: the delivery throws and its message comes back. */
export class InjectedSendFault extends Error {
  override name = 'InjectedSendFault';
}

/** Whether an error is one the soak injected (the delivery is redelivered, not counted as a broken run). */
export function injected(error: unknown): boolean {
  return error instanceof SoakKill || error instanceof InjectedLedgerFault || error instanceof InjectedSendFault;
}

/** One change of a hold, with the number of provider actions applied before it: exact order against sim.applied. */
export interface HoldEvent {
  appliedBefore: number;
  /** Epoch ms, for a story told in time order. */
  at: number;
  key: TargetKey;
  /** Undefined on a release of every source's hold. */
  source?: string;
  op: 'place' | 'release';
  /** A placed hold's status (absent: held). */
  status?: 'pending' | 'held';
}

/**
 * The soak's one ledger: a MemoryLedger on a clock the soak moves forward (leases and claims expire by it, as a
 * visibility timeout passes), logging every hold change in order with the provider's actions.
 */
export class SoakLedger extends MemoryLedger {
  readonly events: HoldEvent[] = [];
  private skewMs = 0;

  constructor(private readonly appliedCount: () => number) {
    super(undefined, { now: () => new Date(Date.now() + (this?.skewMs ?? 0)) });
  }

  /** Who holds a target's lease now, and until when (the soak's report of what is left, for a human). */
  leaseOf(key: TargetKey): string {
    const lease = this.state.leases[key];
    return lease ? `lease ${lease.holder} for ${Math.round((lease.expiresAt - this.clock()) / 1000)} s more` : 'no lease';
  }

  /** The ledger's clock (epoch ms). */
  clock(): number {
    return this.now().getTime();
  }

  /** Time passes: every lease and claim taken with less than `ms` left expires. */
  advance(ms: number): void {
    this.skewMs += ms;
  }

  override async recordPause(record: PauseRecord): Promise<void> {
    this.events.push({
      appliedBefore: this.appliedCount(),
      at: Date.now(),
      key: record.key,
      source: record.source,
      op: 'place',
      ...(record.status ? { status: record.status } : {}),
    });
    await super.recordPause(record);
  }

  override async release(key: TargetKey, source?: string): Promise<void> {
    this.events.push({
      appliedBefore: this.appliedCount(),
      at: Date.now(),
      key,
      ...(source === undefined ? {} : { source }),
      op: 'release',
    });
    await super.release(key, source);
  }

  override async changeHolds(holder: string, changes: readonly HoldChange[], options: { releaseLease: boolean }): Promise<void> {
    const appliedBefore = this.appliedCount();
    const at = Date.now();
    for (const change of changes) {
      // Only a change by the target's lease holder takes effect (as the port says); only those are history.
      if (this.state.leases[change.key]?.holder !== holder) continue;
      const { key } = change;
      if (change.removeAll) this.events.push({ appliedBefore, at, key, op: 'release' });
      for (const source of change.remove ?? []) this.events.push({ appliedBefore, at, key, source, op: 'release' });
      for (const hold of change.put ?? []) {
        this.events.push({
          appliedBefore,
          at,
          key,
          source: hold.source,
          op: 'place',
          ...(hold.status ? { status: hold.status } : {}),
        });
      }
    }
    await super.changeHolds(holder, changes, options);
  }
}

export interface DeliveryFaults {
  /** Kill this delivery at the `afterWrites`-th ledger write once `armed()` (the provider applied one of its actions). */
  kill?: { armed: () => boolean; afterWrites: number };
  /** Share of ledger writes that fail, 0..1. */
  writeFailureRate: number;
  random: () => number;
  onKill: () => void;
  onWriteFailure: () => void;
}

/** One delivery's view of the shared ledger: it can die, and some of its writes fail. */
export class DeliveryLedger implements Ledger {
  dead = false;

  constructor(
    private readonly base: Ledger,
    private readonly faults: DeliveryFaults,
  ) {}

  private alive(): void {
    if (this.dead) throw new SoakKill('killed worker');
  }

  private write(): void {
    this.alive();
    const kill = this.faults.kill;
    if (kill?.armed()) {
      if (kill.afterWrites <= 0) {
        this.dead = true;
        this.faults.onKill();
        throw new SoakKill('worker killed after the provider call');
      }
      kill.afterWrites -= 1;
    }
    if (this.faults.random() < this.faults.writeFailureRate) {
      this.faults.onWriteFailure();
      throw new InjectedLedgerFault('ledger write failed (injected)');
    }
  }

  async recordPause(record: PauseRecord): Promise<void> {
    this.write();
    return this.base.recordPause(record);
  }
  async holdsOf(keys: readonly TargetKey[]): Promise<PauseRecord[]> {
    this.alive();
    return this.base.holdsOf(keys);
  }
  async *holdsOfSource(source: string): AsyncIterable<PauseRecord[]> {
    this.alive();
    yield* this.base.holdsOfSource(source);
  }
  async *allHolds(): AsyncIterable<PauseRecord[]> {
    this.alive();
    yield* this.base.allHolds();
  }
  async pausedByUs(): Promise<PauseRecord[]> {
    this.alive();
    return this.base.pausedByUs();
  }
  async release(key: TargetKey, source?: string): Promise<void> {
    this.write();
    return this.base.release(key, source);
  }
  async acquireLeases(keys: readonly TargetKey[], lease: Lease): Promise<Map<TargetKey, PauseRecord[]>> {
    this.alive();
    return this.base.acquireLeases(keys, lease);
  }
  async changeHolds(holder: string, changes: readonly HoldChange[], options: { releaseLease: boolean }): Promise<void> {
    this.write();
    return this.base.changeHolds(holder, changes, options);
  }
  async releaseLeases(keys: readonly TargetKey[], holder: string): Promise<void> {
    this.alive();
    return this.base.releaseLeases(keys, holder);
  }
  async recordOutcomes(commandId: string, outcomes: readonly TargetOutcome[]): Promise<void> {
    this.write();
    return this.base.recordOutcomes(commandId, outcomes);
  }
  async outcomesOf(commandId: string): Promise<TargetOutcome[]> {
    this.alive();
    return this.base.outcomesOf(commandId);
  }
  async claim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult> {
    this.alive();
    return this.base.claim(scope, key, lease);
  }
  async finishClaim(scope: string, key: TargetKey): Promise<void> {
    this.write();
    return this.base.finishClaim(scope, key);
  }
  async history(filter: HistoryFilter): Promise<HistoryEntry[]> {
    this.alive();
    return this.base.history(filter);
  }
  async flush(): Promise<void> {
    this.alive();
    return this.base.flush();
  }
}

/** One delivery's failures queue: a send carrying failures sometimes throws, and a dead delivery sends nothing. */
export class DeliverySink implements FailureSink {
  constructor(
    private readonly base: FailureSink,
    private readonly ledger: DeliveryLedger,
    private readonly failureRate: number,
    private readonly random: () => number,
    private readonly onFailure: () => void,
  ) {}

  async send(messages: readonly FailureMessage[]): Promise<void> {
    if (this.ledger.dead) throw new SoakKill('killed worker');
    if (messages.length > 0 && this.random() < this.failureRate) {
      this.onFailure();
      throw new InjectedSendFault('failures-queue send failed (injected)');
    }
    return this.base.send(messages);
  }
}

/** The delivery whose code is running now, as far as its async calls reach: whether it is dead. */
const delivery = new AsyncLocalStorage<{ isDead: () => boolean }>();
let fetchGuarded = false;

/**
 * Runs one worker delivery so that it dies whole, as a `kill -9`ed process does: once `isDead`, every HTTP request
 * it would still send — from any of its branches in flight, inside an adapter call too (an OMS or NCP chunk makes
 * one request per task) — throws instead. Without this, a dead delivery's other branches would go on calling the
 * provider after its leases expired, at the same time as the next holder of those targets.
 */
export function runMortal<T>(isDead: () => boolean, run: () => Promise<T>): Promise<T> {
  if (!fetchGuarded) {
    fetchGuarded = true;
    const original = globalThis.fetch;
    globalThis.fetch = (input, init) =>
      delivery.getStore()?.isDead() ? Promise.reject(new SoakKill('killed worker')) : original(input, init);
  }
  return delivery.run({ isDead }, run);
}
