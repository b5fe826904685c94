import { afterEach } from 'vitest';
import { parseAccounts } from '../../lib/config';
import { type CommandInput, parseCommand } from '../../lib/core/command';
import type { Ledger } from '../../lib/core/ledger';
import { type RunDeps, runCommand } from '../../lib/core/run';
import { AccountSessions } from '../../lib/core/sessions';
import { MemoryFailureSink } from '../../lib/local/failures';
import { MemoryLedger } from '../../lib/local/ledger-memory';
import { createLocalSecretSource } from '../../lib/local/secrets';
import { adapters } from '../../lib/providers/registry';
import { type Scenario, type Simulator, startSimulator } from '../../sim';

export interface Fleet {
  sim: Simulator;
  ledger: Ledger;
  failures: MemoryFailureSink;
  env: Record<string, string>;
  run: (input: Partial<CommandInput>, deps?: Partial<RunDeps>) => ReturnType<typeof runCommand>;
  /** Fresh sessions on the fleet's accounts, as one Lambda invocation would open them. */
  sessions: () => AccountSessions;
}

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/**
 * A simulator seeded with `scenario` and an in-process pipeline pointed at it: fast confirmation polling,
 * quick retries, and a fresh memory ledger and DLQ. The simulator is closed after each test.
 */
export async function startFleet(
  scenario: Scenario,
  options: { env?: (env: Record<string, string>) => void; ledger?: Ledger } = {},
): Promise<Fleet> {
  const sim = await startSimulator({ scenario: { transitionMs: 30, ...scenario } });
  open.push(sim);
  const env = sim.secretEnv();
  options.env?.(env);
  const accounts = parseAccounts(
    sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 3_000 }, rateLimit: { perSecond: 500, burst: 100 } }),
  );
  const ledger = options.ledger ?? new MemoryLedger();
  const failures = new MemoryFailureSink();
  const secrets = createLocalSecretSource({ env });
  const retry = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
  const sessions = () => new AccountSessions(accounts.accounts, adapters, secrets, { retry });
  return {
    sim,
    ledger,
    failures,
    env,
    sessions,
    run: (input, deps = {}) => {
      const command = parseCommand({ action: 'pause', scope: { all: true }, reason: 'test', requestedBy: 'tests', ...input });
      // A fresh set of sessions per command, as each CLI run or Lambda invocation would have.
      return runCommand(command, { sessions: sessions(), ledger, failures, ...deps });
    },
  };
}

/** Requests that changed something at the provider (everything but reads). */
export function actionRequests(sim: Simulator) {
  return sim.requests.filter((r) =>
    /\/(pause|stop|start|batch-pause-task|batch-retry-task|batch-stop|batch-restart)(\?|$)/.test(r.path),
  );
}
