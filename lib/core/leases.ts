import type { Lease, Ledger, PauseRecord } from './ledger';
import type { TargetKey } from './types';

/** How often a writer waiting for a busy target asks again. */
const LEASE_POLL_MS = 1_000;

export interface LeaseDeps {
  ledger: Ledger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/**
 * One writer per target: runs `work` on the targets whose lease this holder takes (with their holds, read under
 * the lease), and waits (polling) for targets another command is changing right now, until `waitUntil`. `work`
 * returns the targets whose leases it gave back itself (with its last change); the rest are released after it.
 * Returns the keys it never got: the caller hands them on or fails them. A lease expires at `lease.expiresAt`
 * (never past the holder's remaining time), so a holder that dies frees its targets by itself.
 */
export async function withLeases(
  keys: readonly TargetKey[],
  lease: Lease,
  waitUntil: number,
  deps: LeaseDeps,
  work: (leased: ReadonlyMap<TargetKey, PauseRecord[]>) => Promise<Iterable<TargetKey>>,
): Promise<TargetKey[]> {
  let waiting = [...new Set(keys)];
  for (;;) {
    const leased = await deps.ledger.acquireLeases(waiting, lease);
    if (leased.size > 0) {
      let released = new Set<TargetKey>();
      try {
        released = new Set(await work(leased));
      } finally {
        const rest = [...leased.keys()].filter((key) => !released.has(key));
        if (rest.length) await deps.ledger.releaseLeases(rest, lease.holder);
      }
      waiting = waiting.filter((key) => !leased.has(key));
    }
    const left = waitUntil - deps.now().getTime();
    if (waiting.length === 0 || left <= 0) return waiting;
    await deps.sleep(Math.min(LEASE_POLL_MS, left));
  }
}
