import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../lib/config';
import { AccountSessions } from '../../lib/core/sessions';
import { targetKey } from '../../lib/core/types';
import { createLocalSecretSource } from '../../lib/local/secrets';
import { adapters } from '../../lib/providers/registry';
import { startFleet } from '../helpers/fleet';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

const POLICIES = 8;

describe('an account whose provider allows less than the default rate', () => {
  it('starts at 5/s against a true limit of 2/s, finds it after a few throttles, and pauses every task', async () => {
    // Prepare: the provider allows 2 requests/s (burst 2); the accounts file says nothing, so the client starts at 5/s.
    const fleet = await startFleet({
      accounts: [{ ...NCP_MAIN, rateLimit: { perSecond: 2, burst: 2 } }],
      tasks: Array.from({ length: POLICIES }, (_, i) => ncpPolicy(`bucket-${i + 1}`, 'STARTED')),
    });
    const accounts = parseAccounts(fleet.sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 30_000 } })).accounts;
    expect(accounts[0]?.rateLimit).toBeUndefined();
    const sessions = new AccountSessions(accounts, adapters, createLocalSecretSource({ env: fleet.env }));

    // Act
    const run = await fleet.run({ action: 'pause', reason: 'window' }, { sessions });

    // Assess: nothing lost, everything paused.
    const withOutcome = new Set(run.outcomes.map((o) => targetKey(o.target)));
    expect(run.plan.targets.filter((p) => !withOutcome.has(targetKey(p.target)))).toEqual([]);
    expect(run.summary.totals).toEqual({ paused: POLICIES });
    // Few throttles: 5/s · 0.7³ is under 2/s, so three cuts find the limit; with what was already in flight when
    // each 429 came back, a handful in all. And once found, the limit is kept: the last third of the run is not
    // throttled at all (a fixed 5/s is throttled again every couple of seconds, to the end).
    const statuses = fleet.sim.requests.map((r) => r.status);
    const throttled = statuses.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(0);
    expect(throttled).toBeLessThanOrEqual(6);
    expect(statuses.slice(-Math.floor(statuses.length / 3))).not.toContain(429);
    expect(sessions.handle(NCP_MAIN.name)?.currentRate()).toBeLessThan(5);
  });
});
