import { parseAccounts } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import { AccountSessions } from '../lib/core/sessions';
import { targetKey } from '../lib/core/types';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import { generateScenario, startSimulator } from '../sim';
import { type AccountBound, accountBound } from './bound';

export interface P1Options {
  targets: number;
  perSecond: number;
  latencyMs: number;
  /** Overrides every account's confirmation timing; undefined keeps the adapters' defaults. */
  confirm?: { intervalMs: number; deadlineMs: number };
  chunksPerAccount?: number;
}

export interface P1Account extends AccountBound {
  made: number;
  throttled: number;
  /**
   * Seconds from the start of the run: the account's first and last request, and each throttle it got (a 429, or
   * DMS's 400 ThrottlingException).
   */
  firstAt: number;
  lastAt: number;
  throttledAt: number[];
}

export interface P1Result {
  targets: number;
  acting: number;
  seconds: number;
  boundSeconds: number;
  ratio: number;
  throttledShare: number;
  lost: number;
  requests: number;
  outcomes: Record<string, number>;
  accounts: P1Account[];
  settings: P1Options & { transitionMs: number };
}

/** The whole fleet paused through runCommand against the simulator, and the documented floor for it. */
export async function runP1(options: P1Options): Promise<P1Result> {
  const scenario = generateScenario({
    seed: 7,
    tasksPerProvider: Math.round(options.targets / PROVIDER_KEYS.length),
    accountsPerProvider: 2,
  });
  const rateLimit = { perSecond: options.perSecond, burst: options.perSecond };
  for (const account of scenario.accounts) account.rateLimit = rateLimit;
  const transitionMs = 100;
  const sim = await startSimulator({ scenario: { ...scenario, latencyMs: options.latencyMs, transitionMs } });
  try {
    const accounts = parseAccounts(sim.accountsFile({ rateLimit, ...(options.confirm ? { confirm: options.confirm } : {}) }));
    const sessions = new AccountSessions(accounts.accounts, adapters, createLocalSecretSource({ env: sim.secretEnv() }));
    const command = parseCommand({ action: 'pause', scope: { all: true }, reason: 'benchmark P1', requestedBy: 'bench' });
    const startedAt = Date.now();
    const started = performance.now();
    const result = await runCommand(command, {
      sessions,
      ledger: new MemoryLedger(),
      failures: new MemoryFailureSink(),
      ...(options.chunksPerAccount ? { chunksPerAccount: options.chunksPerAccount } : {}),
    });
    const seconds = (performance.now() - started) / 1000;

    const withOutcome = new Set(result.outcomes.map((o) => targetKey(o.target)));
    const lost = result.plan.targets.filter((p) => !withOutcome.has(targetKey(p.target))).length;
    const outcomes: Record<string, number> = {};
    for (const o of result.outcomes) {
      const key = o.outcome === 'failed' ? `failed:${o.errorClass ?? '?'}` : o.outcome;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    const perAccount: P1Account[] = scenario.accounts.map((account) => {
      const acting = result.plan.targets.filter((p) => p.target.account === account.name && p.decision.kind === 'act').length;
      const bound = accountBound(
        account.name,
        account.provider,
        scenario.tasks.filter((t) => t.account === account.name),
        acting,
        options.perSecond,
      );
      const mine = sim.requests.filter((r) => r.account === account.name);
      const since = (at: number) => Math.round(at - startedAt) / 1000;
      const throttledAt = mine.filter((r) => r.throttled).map((r) => since(r.at));
      return {
        ...bound,
        made: mine.length,
        throttled: throttledAt.length,
        firstAt: since(mine[0]?.at ?? startedAt),
        lastAt: since(mine.at(-1)?.at ?? startedAt),
        throttledAt,
      };
    });
    const boundSeconds = Math.max(...perAccount.map((a) => a.seconds));
    const requests = sim.requests.length;
    const throttled = sim.requests.filter((r) => r.throttled).length;
    return {
      targets: result.plan.targets.length,
      acting: perAccount.reduce((n, a) => n + a.acting, 0),
      seconds,
      boundSeconds,
      ratio: seconds / boundSeconds,
      throttledShare: requests ? throttled / requests : 0,
      lost,
      requests,
      outcomes,
      accounts: perAccount,
      settings: { ...options, transitionMs },
    };
  } finally {
    await sim.close();
  }
}
