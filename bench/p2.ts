import { parseAccounts } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { AccountSessions } from '../lib/core/sessions';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import { generateScenario, startSimulator } from '../sim';
import type { AccountBound } from './bound';
import { sequentialRequests } from './bound';

export interface P2Result {
  fraction: number;
  measuredTargets: number;
  measuredRequests: number;
  measuredSeconds: number;
  secondsPerRequest: number;
  /** The full fleet's shell-loop request count (list pages + one pause + one read per acting task). */
  fullRequests: number;
  sequentialSeconds: number;
  extrapolated: boolean;
  speedup: number;
}

/**
 * A shell loop over task ids: one request at a time — list every account, pause each running task one call at a
 * time (DRS/DCS batches of one), then read each back until paused. Run on `fraction` of the fleet; the full
 * fleet's time is its request count × the measured seconds per request (marked extrapolated unless fraction = 1).
 */
export async function runP2(options: {
  targets: number;
  fraction: number;
  perSecond: number;
  latencyMs: number;
  fullFleet: readonly AccountBound[];
  p1Seconds: number;
}): Promise<P2Result> {
  const perProvider = Math.max(10, Math.round((options.targets / PROVIDER_KEYS.length) * options.fraction));
  const scenario = generateScenario({ seed: 7, tasksPerProvider: perProvider, accountsPerProvider: 2 });
  const rateLimit = { perSecond: options.perSecond, burst: options.perSecond };
  for (const account of scenario.accounts) account.rateLimit = rateLimit;
  const sim = await startSimulator({ scenario: { ...scenario, latencyMs: options.latencyMs, transitionMs: 100 } });
  try {
    const accounts = parseAccounts(sim.accountsFile({ rateLimit }));
    const sessions = new AccountSessions(accounts.accounts, adapters, createLocalSecretSource({ env: sim.secretEnv() }));
    const { options: actionOptions } = parseCommand({
      action: 'pause',
      scope: { all: true },
      reason: 'P2',
      requestedBy: 'bench',
    });
    const started = performance.now();
    for (const account of accounts.accounts) {
      const session = await sessions.session(account.name);
      const running = (await session.list()).filter((t) => t.phase === 'running');
      for (const task of running) await session.pause([task], actionOptions);
      for (const task of running) {
        // Re-read until paused, as a loop with `until [ "$(get)" = PAUSED ]` would; bounded so a bug cannot hang it.
        for (let tries = 0; tries < 50; tries++) {
          const seen = (await session.get([task.taskId])).get(task.taskId);
          if (!seen || !('phase' in seen) || seen.phase === 'paused') break;
        }
      }
    }
    const measuredSeconds = (performance.now() - started) / 1000;
    const measuredRequests = sim.requests.length;
    const secondsPerRequest = measuredSeconds / measuredRequests;
    const fullRequests = options.fullFleet.reduce((n, a) => n + sequentialRequests(a), 0);
    const extrapolated = options.fraction < 1;
    const sequentialSeconds = extrapolated ? secondsPerRequest * fullRequests : measuredSeconds;
    return {
      fraction: options.fraction,
      measuredTargets: scenario.tasks.length,
      measuredRequests,
      measuredSeconds,
      secondsPerRequest,
      fullRequests,
      sequentialSeconds,
      extrapolated,
      speedup: sequentialSeconds / options.p1Seconds,
    };
  } finally {
    await sim.close();
  }
}
