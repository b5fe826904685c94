import type { ProviderTask } from '../providers/types';
import type { ProviderError } from './errors';
import { resolvePendingHolds } from './holds';
import { holdStatus, type Lease, type Ledger, type PauseRecord } from './ledger';
import type { AccountSessions } from './sessions';
import type { TargetKey } from './types';

export interface PendingDeps {
  sessions: AccountSessions;
  ledger: Ledger;
  now: () => Date;
  lease: Lease;
  /** Pending holds younger than this are not removed, whatever the task shows (a pause may be on its way). */
  graceMs: number;
}

/**
 * Resolves pending holds by asking each account's provider for its tasks (`status`, or anyone holding holds but no
 * plan): paused ⇒ held, running ⇒ removed. An account that cannot be read leaves its holds pending. Returns every
 * hold as it stands afterwards.
 */
export async function resolvePendingFromProviders(holds: readonly PauseRecord[], deps: PendingDeps): Promise<PauseRecord[]> {
  const byAccount = new Map<string, PauseRecord[]>();
  for (const hold of holds) {
    if (holdStatus(hold) !== 'pending' || !deps.sessions.handle(hold.target.account)) continue;
    byAccount.set(hold.target.account, [...(byAccount.get(hold.target.account) ?? []), hold]);
  }
  if (byAccount.size === 0) return [...holds];
  const live = new Map<TargetKey, ProviderTask | ProviderError>();
  await Promise.all(
    [...byAccount].map(async ([account, pending]) => {
      try {
        const read = await (await deps.sessions.session(account)).get([...new Set(pending.map((h) => h.target.taskId))]);
        for (const hold of pending) {
          const state = read.get(hold.target.taskId);
          if (state) live.set(hold.key, state);
        }
      } catch {
        // Unreadable now: the holds stay pending, which is the safe side. Only a definite answer resolves them.
      }
    }),
  );
  const resolved = await resolvePendingHolds([...byAccount.values()].flat(), live, {
    ledger: deps.ledger,
    now: deps.now,
    lease: deps.lease,
    graceMs: deps.graceMs,
  });
  await deps.ledger.flush();
  const pendingKeys = new Set([...byAccount.values()].flat());
  return [...holds.filter((h) => !pendingKeys.has(h)), ...resolved];
}
