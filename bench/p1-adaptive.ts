import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAccounts } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { planPause } from '../lib/core/plan';
import { runCommand } from '../lib/core/run';
import { AccountSessions } from '../lib/core/sessions';
import { type TargetOutcome, targetKey } from '../lib/core/types';
import type { WorkMessage } from '../lib/core/work';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import { generateScenario, type SimAccount, startSimulator } from '../sim';
import { accountBound } from './bound';
import type { P1Result } from './p1';
import { WorkPool } from './work-pool';

/**
 * P1 with the adaptive limiter: the same fleet (10,000 targets, 4 providers × 2 accounts, 100 ms latency), but the
 * accounts file says nothing about rates (every account starts at the adapters' default, 5/s) and each simulator
 * account enforces a true limit the client cannot see. T* is computed from the true limits.
 */
export interface P1AdaptiveScenario {
  name: 'true20-default5' | 'true2-default5' | 'drop20to5' | 'true20-default5-4workers';
  /** The true limit before any drop (requests/s, burst the same). */
  perSecond: number;
  /** The true limit after half of the account's bound requests have been admitted. */
  dropTo?: number;
  /** Worker processes sharing every account (1: this process). */
  workers: number;
  goal: { ratio: number; throttledShare: number };
}

export const P1_ADAPTIVE_SCENARIOS: readonly P1AdaptiveScenario[] = [
  { name: 'true20-default5', perSecond: 20, workers: 1, goal: { ratio: 1.25, throttledShare: 0.05 } },
  { name: 'true2-default5', perSecond: 2, workers: 1, goal: { ratio: 1.25, throttledShare: 0.05 } },
  { name: 'drop20to5', perSecond: 20, dropTo: 5, workers: 1, goal: { ratio: 1.35, throttledShare: 0.05 } },
  { name: 'true20-default5-4workers', perSecond: 20, workers: 4, goal: { ratio: 1.35, throttledShare: 0.05 } },
];

export interface P1AdaptiveAccount {
  account: string;
  boundRequests: number;
  boundSeconds: number;
  made: number;
  throttled: number;
  /** Seconds from the start: the account's last request. */
  lastAt: number;
}

/** P1's figures (ratio against the bound of the true limits), for one scenario of the adaptive limiter. */
export interface P1AdaptiveRow extends Omit<P1Result, 'accounts' | 'settings'> {
  scenario: P1AdaptiveScenario['name'];
  workers: number;
  trueLimit: string;
  clientStart: string;
  goal: P1AdaptiveScenario['goal'];
  accounts: P1AdaptiveAccount[];
}

const LATENCY_MS = 100;
const TRANSITION_MS = 100;
const command = parseCommand({ action: 'pause', scope: { all: true }, reason: 'benchmark P1 adaptive', requestedBy: 'bench' });

export async function runP1Adaptive(targets: number, scenario: P1AdaptiveScenario): Promise<P1AdaptiveRow> {
  const fleet = generateScenario({ seed: 7, tasksPerProvider: Math.round(targets / 4), accountsPerProvider: 2 });
  const acting = await actingPerAccount(fleet);
  const bounds = fleet.accounts.map((account) => {
    const bound = accountBound(
      account.name,
      account.provider,
      fleet.tasks.filter((t) => t.account === account.name),
      acting.get(account.name)?.length ?? 0,
      scenario.perSecond,
    );
    // The true limit drops once the account has been served half the requests the bound needs.
    const half = Math.ceil(bound.requests / 2);
    const seconds =
      scenario.dropTo === undefined ? bound.seconds : half / scenario.perSecond + (bound.requests - half) / scenario.dropTo;
    return { account, bound, half, seconds };
  });
  for (const { account, half } of bounds) {
    account.rateLimit = {
      perSecond: scenario.perSecond,
      burst: scenario.perSecond,
      ...(scenario.dropTo === undefined
        ? {}
        : { drop: { afterRequests: half, perSecond: scenario.dropTo, burst: scenario.dropTo } }),
    };
  }
  const sim = await startSimulator({ scenario: { ...fleet, latencyMs: LATENCY_MS, transitionMs: TRANSITION_MS } });
  try {
    // No rateLimit in the accounts file: every account starts from its adapter's default.
    const accountsFile = sim.accountsFile();
    let startedAt = Date.now();
    const outcomes: TargetOutcome[] = [];
    let planned: string[] = [];
    if (scenario.workers === 1) {
      const sessions = new AccountSessions(
        parseAccounts(accountsFile).accounts,
        adapters,
        createLocalSecretSource({ env: sim.secretEnv() }),
      );
      const result = await runCommand(command, { sessions, ledger: new MemoryLedger(), failures: new MemoryFailureSink() });
      outcomes.push(...result.outcomes);
      planned = result.plan.targets.map((p) => targetKey(p.target));
    } else {
      const run = await runWorkers(scenario.workers, { accountsFile, secretEnv: sim.secretEnv() });
      startedAt = run.startedAt;
      outcomes.push(...run.outcomes);
      planned = run.planned;
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const withOutcome = new Set(outcomes.map((o) => targetKey(o.target)));
    const counts: Record<string, number> = {};
    for (const o of outcomes) {
      const key = o.outcome === 'failed' ? `failed:${o.errorClass ?? '?'}` : o.outcome;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const accounts = bounds.map(({ account, bound, seconds: boundSeconds }): P1AdaptiveAccount => {
      const mine = sim.requests.filter((r) => r.account === account.name);
      return {
        account: account.name,
        boundRequests: bound.requests,
        boundSeconds,
        made: mine.length,
        throttled: mine.filter((r) => r.throttled).length,
        lastAt: ((mine.at(-1)?.at ?? startedAt) - startedAt) / 1000,
      };
    });
    const boundSeconds = Math.max(...accounts.map((a) => a.boundSeconds));
    const requests = sim.requests.length;
    return {
      scenario: scenario.name,
      workers: scenario.workers,
      trueLimit:
        scenario.dropTo === undefined
          ? `${scenario.perSecond}/s`
          : `${scenario.perSecond}/s, ${scenario.dropTo}/s after half the bound's requests`,
      clientStart: scenario.workers === 1 ? '5/s (adapter default)' : `5/s ÷ ${scenario.workers} workers each`,
      targets: new Set(planned).size,
      acting: [...acting.values()].reduce((n, ids) => n + ids.length, 0),
      seconds,
      boundSeconds,
      ratio: seconds / boundSeconds,
      throttledShare: requests ? sim.requests.filter((r) => r.throttled).length / requests : 0,
      lost: [...new Set(planned)].filter((key) => !withOutcome.has(key)).length,
      requests,
      outcomes: counts,
      goal: scenario.goal,
      accounts,
    };
  } finally {
    await sim.close();
  }
}

/** The targets the plan acts on, per account: planned once against a simulator without limits, before the run. */
async function actingPerAccount(fleet: ReturnType<typeof generateScenario>): Promise<Map<string, string[]>> {
  const sim = await startSimulator({ scenario: { ...fleet, accounts: fleet.accounts.map((a): SimAccount => ({ ...a })) } });
  try {
    const sessions = new AccountSessions(
      parseAccounts(sim.accountsFile({ rateLimit: { perSecond: 1_000, burst: 100 } })).accounts,
      adapters,
      createLocalSecretSource({ env: sim.secretEnv() }),
    );
    const plan = await planPause(command, {
      sessions,
      ledger: new MemoryLedger(),
      now: () => new Date(),
      lease: { holder: 'bench-p1-adaptive', expiresAt: Date.now() + 600_000 },
    });
    const acting = new Map<string, string[]>();
    for (const p of plan.targets) {
      if (p.decision.kind !== 'act') continue;
      acting.set(p.target.account, [...(acting.get(p.target.account) ?? []), p.target.taskId]);
    }
    return acting;
  } finally {
    await sim.close();
  }
}

export interface WorkerInput {
  accountsFile: unknown;
  secretEnv: Record<string, string>;
  workers: number;
}

/** A worker to the parent, over the IPC channel: loaded; the next chunk of an account, please; finished. */
export type ToParent =
  | { kind: 'ready' }
  | { kind: 'next'; ask: number; account: string }
  | { kind: 'done'; outcomes: TargetOutcome[] };
/** The parent's answer to `next`: a chunk, or null once the account has no work left. */
export interface ToWorker {
  ask: number;
  work: WorkMessage | null;
}

/**
 * The fleet over `workers` processes that share every account, as deployed: the command is planned once, by this
 * process as the commands function plans it (every account listed once, not once per worker), at a worker's share of
 * each account's starting rate; its work goes to a shared pool (WorkPool, the work queues), and each worker pulls the
 * next chunk of an account whenever it has room for one — so a worker that learned a smaller share of an account
 * takes fewer of its chunks instead of holding up the run with a fixed quarter of them. Each worker takes 1/workers
 * of each account's starting rate and talks to the others not at all. The clock starts when every worker has
 * loaded, before the plan, and ends with the last worker's result.
 */
async function runWorkers(
  workers: number,
  shared: Omit<WorkerInput, 'workers'>,
): Promise<{ startedAt: number; outcomes: TargetOutcome[]; planned: string[] }> {
  const sessions = new AccountSessions(
    parseAccounts(shared.accountsFile).accounts,
    adapters,
    createLocalSecretSource({ env: shared.secretEnv }),
    { runners: Object.fromEntries(PROVIDER_KEYS.map((key) => [key, workers])) },
  );
  const pool = new WorkPool((account) => sessions.handle(account)?.capabilities.batchLimit ?? 1);
  const dir = await mkdtemp(join(tmpdir(), 'p1-adaptive-'));
  try {
    const file = join(dir, 'worker.json');
    await writeFile(file, JSON.stringify({ ...shared, workers } satisfies WorkerInput));
    const children = Array.from({ length: workers }, () => startWorker(file, pool));
    await Promise.all(children.map((c) => c.ready));
    const startedAt = Date.now();
    const result = await runCommand(command, {
      sessions,
      ledger: new MemoryLedger(),
      failures: new MemoryFailureSink(),
      workQueue: pool,
      inProcessLimit: 0,
    });
    pool.close();
    const outcomes = [...result.outcomes];
    for (const done of await Promise.all(children.map((c) => c.result))) outcomes.push(...done);
    return { startedAt, outcomes, planned: result.plan.targets.map((p) => targetKey(p.target)) };
  } finally {
    // A plan that failed sends nothing more: the workers are told so, and end.
    pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function startWorker(inputFile: string, pool: WorkPool): { ready: Promise<void>; result: Promise<TargetOutcome[]> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'p1-adaptive-child.ts'), inputFile], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  proc.stderr?.on('data', (d) => {
    err += d;
  });
  const ready = settleable<void>();
  const result = settleable<TargetOutcome[]>();
  let outcomes: TargetOutcome[] | undefined;
  proc.on('message', (message: ToParent) => {
    if (message.kind === 'ready') ready.resolve();
    else if (message.kind === 'done') outcomes = message.outcomes;
    else
      void pool.next(message.account).then((work) => {
        if (proc.connected) proc.send({ ask: message.ask, work: work ?? null } satisfies ToWorker);
      });
  });
  // 'close', not 'exit': it comes after the IPC channel has delivered the worker's last message.
  proc.on('close', (code) => {
    const failed = new Error(`P1 adaptive worker failed (${code}): ${err.slice(-2000)}`);
    ready.reject(failed);
    if (code === 0 && outcomes) result.resolve(outcomes);
    else result.reject(failed);
  });
  return { ready: ready.promise, result: result.promise };
}

/** A promise with its resolve and reject (Promise.withResolvers, which Node 20 lacks). */
function settleable<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Settled by a failure nobody awaits (a worker that fails after `ready`): not an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
