import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createSecretsManagerSource } from '../lib/aws/secrets-manager';
import { parseAccounts } from '../lib/config';
import { type Command, parseCommand } from '../lib/core/command';
import { ClaimsInProgressError } from '../lib/core/errors';
import type { FailureMessage } from '../lib/core/failures';
import { runCommand, runWorkMessage } from '../lib/core/run';
import { AccountSessions } from '../lib/core/sessions';
import { type RunResult, type TargetOutcome, targetKey } from '../lib/core/types';
import type { WorkMessage } from '../lib/core/work';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { MemoryWorkQueue } from '../lib/local/work-queue-memory';
import { adapters } from '../lib/providers/registry';
import type { ProviderKey } from '../lib/providers/types';
import {
  type AppliedAction,
  fakeRedisPasswords,
  generateScenario,
  type SimTask,
  type Simulator,
  STATES,
  startSimulator,
} from '../sim';
import { seededRandom } from '../sim/random';

export interface SoakOptions {
  commands: number;
  /** Tasks per provider (four providers): 250 gives 1,000 targets per pause of everything. */
  tasksPerProvider: number;
  accountsPerProvider: number;
  /** Share of provider requests answered with a fault (429, 5xx, a timeout, a reset), 0..1. */
  faultRate: number;
  /** Share of commands and of work messages delivered twice, 0..1. */
  duplicateRate: number;
  seed: number;
  /** Plans with more acting targets than this go to the work queues (the incident function's MP_INPROCESS_LIMIT). */
  inProcessLimit?: number;
  /** Progress lines (stderr in the CLI); never carries a secret. */
  log?: (line: string) => void;
}

export const FULL_SOAK: SoakOptions = {
  commands: 50,
  tasksPerProvider: 250,
  accountsPerProvider: 2,
  faultRate: 0.1,
  duplicateRate: 0.05,
  seed: 7,
};

/** The one object `npm run soak -- --json` prints. Every invariant is a count that must be 0 (or equal). */
export interface SoakReport {
  targets: number;
  outcomes: number;
  /** Targets of a command with no recorded outcome. */
  lost: number;
  /** Extra actions the provider accepted for one task within one command (a second pause of a paused task). */
  duplicateProviderActions: number;
  /** Actions on tasks someone else paused (by hand, before or during the soak): we must never resume them. */
  resumedNotOurs: number;
  /** Failed targets with a message on the DLQ; must equal `failed`. */
  failedInDlq: number;
  failed: number;
  /** Seeded secret values found in outcomes, summaries, the ledger, the DLQ or errors. */
  secretHits: number;
  seconds: number;
  /** What the run went through, for the reader: proof the faults happened. */
  exercised: {
    providerRequests: number;
    faultsInjected: number;
    duplicateDeliveries: number;
    /** Deliveries that found another delivery of the same message at work, and went back to the queue. */
    returnedToQueue: number;
    handoffs: { act: number; hold: number; confirm: number };
    secretOutageFailures: number;
    /** DLQ target failures by error class: what a human would find there. */
    failedByClass: Record<string, number>;
    accountFailures: number;
    handPaused: number;
  };
}

export interface SoakResult {
  report: SoakReport;
  /** Invariants that broke, in words; empty when the soak passed. */
  broken: string[];
}

const SOURCES = ['window:business-hours', 'INC-4242', 'cost-guard'] as const;
const PROVIDERS: ProviderKey[] = ['ncp-object-migration', 'huawei-oms', 'huawei-drs', 'huawei-dcs'];
const WORKER_CONCURRENCY = 16;
/**
 * Per-request timeout. The simulator shares this process's event loop, so under the soak's load an honest answer
 * can take a few hundred milliseconds; shorter timeouts fail reads that were only slow (measured: 300 ms failed
 * about 2% of resume read-backs after four attempts).
 */
const SOAK_TIMEOUT_MS = 1_500;

/**
 * Runs `commands` pause/resume commands through the Lambda-shaped pipeline (plan → work queues → workers) against
 * the simulator with faults injected, duplicate deliveries, a Secrets Manager outage and forced deadlines, then
 * checks the invariants from what the simulator saw and what the ledger and DLQ hold.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const scenario = generateScenario({
    seed: options.seed,
    tasksPerProvider: options.tasksPerProvider,
    accountsPerProvider: options.accountsPerProvider,
  });
  const share = options.faultRate / 4;
  const sim = await startSimulator({
    scenario: {
      ...scenario,
      transitionMs: 40,
      faults: [
        { kind: 'http', status: 429, probability: share },
        { kind: 'http', status: 503, probability: share / (1 - share) },
        { kind: 'timeout', probability: share / (1 - 2 * share) },
        { kind: 'reset', probability: share / (1 - 3 * share) },
      ],
    },
  });
  // Tasks someone else paused before the soak started: never ours to resume.
  const foreign = new Map<string, number>();
  for (const task of scenario.tasks) {
    if (STATES[task.provider].paused.includes(task.state)) foreign.set(`${task.provider}/${task.id}`, 0);
  }
  try {
    return await soakAgainst(sim, scenario.tasks, foreign, options, random, log, started);
  } finally {
    await sim.close();
  }
}

async function soakAgainst(
  sim: Simulator,
  tasks: readonly SimTask[],
  foreign: Map<string, number>,
  options: SoakOptions,
  random: () => number,
  log: (line: string) => void,
  started: number,
): Promise<SoakResult> {
  const secretValues = seededSecrets(sim, options);
  const secretsManager = outageableSecretsManager(sim.secretEnv());
  const secrets = createSecretsManagerSource({ client: secretsManager.client, ttlMs: 1_000 });
  const accounts = parseAccounts({
    accounts: sim
      .accountsFile({ confirm: { intervalMs: 60, deadlineMs: 5_000 }, rateLimit: { perSecond: 300, burst: 60 } })
      .accounts.map((a) => ({ ...a, secret: `aws:mp/${String(a.secret).replace(/^env:/, '')}`, timeoutMs: SOAK_TIMEOUT_MS })),
  }).accounts;
  const retry = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 };
  // One set of sessions per Lambda invocation, like the functions: each opens its own rate limiter and session.
  const sessions = () => new AccountSessions(accounts, adapters, secrets, { retry });
  const ledger = new MemoryLedger();
  const failures = new MemoryFailureSink();
  const workQueue = new MemoryWorkQueue();
  const results: { command: Command; result: RunResult; from: number; to: number }[] = [];
  const errors: string[] = [];
  const exercised: SoakReport['exercised'] = {
    providerRequests: 0,
    faultsInjected: 0,
    duplicateDeliveries: 0,
    returnedToQueue: 0,
    handoffs: { act: 0, hold: 0, confirm: 0 },
    secretOutageFailures: 0,
    failedByClass: {},
    accountFailures: 0,
    handPaused: 0,
  };
  // The outage: Secrets Manager fails while one command is planned (its accounts cannot be listed), and while the
  // next one's workers run (their targets fail as retryable, for a redrive).
  const outageAt = Math.floor(options.commands * 0.4) | 1;
  const secretRefs = accounts.map((a) => a.secret);
  const setOutage = (on: boolean) => {
    secretsManager.setOutage(on);
    for (const ref of secretRefs) secrets.invalidate(ref);
  };

  for (let i = 0; i < options.commands; i++) {
    const command = commandOf(i, random);
    setOutage(i === outageAt);
    if (i === Math.floor(options.commands / 3)) exercised.handPaused += pauseSomeByHand(sim, tasks, foreign, random);
    const from = Date.now();
    const duplicate = random() < options.duplicateRate || i === 1;
    const deliveries = duplicate ? 2 : 1;
    if (duplicate) exercised.duplicateDeliveries += 1;
    // A duplicate delivery of a command runs at the same time as the first, as two Lambdas would.
    const runs = await Promise.all(
      Array.from({ length: deliveries }, () =>
        runCommand(command, {
          sessions: sessions(),
          ledger,
          failures,
          workQueue,
          inProcessLimit: options.inProcessLimit ?? 60,
        }).catch((error: unknown) => {
          if (error instanceof ClaimsInProgressError) exercised.returnedToQueue += 1;
          else errors.push(String(error));
          return undefined;
        }),
      ),
    );
    setOutage(i === outageAt + 1);
    await drainWorkers(sim, workQueue, { sessions, ledger, failures, workQueue }, options, random, exercised, errors, i);
    // A delivery that went back to the queue comes again once the first has finished: it replays, acts on nothing.
    if (runs.includes(undefined) && runs.some((r) => r !== undefined)) {
      await runCommand(command, { sessions: sessions(), ledger, failures, workQueue }).catch((error: unknown) => {
        errors.push(`redelivered command: ${String(error)}`);
      });
      await drainWorkers(sim, workQueue, { sessions, ledger, failures, workQueue }, options, random, exercised, errors, i);
    }
    const result = runs.find((r) => r !== undefined);
    if (result) results.push({ command, result, from, to: Date.now() });
    exercised.accountFailures += result?.plan.accountFailures.length ?? 0;
    log(
      `command ${i + 1}/${options.commands} ${command.action} ${command.source}: ${JSON.stringify(result?.summary.totals ?? {})}`,
    );
  }

  const report = await measure(sim, results, ledger, failures.messages, foreign, secretValues, errors, exercised);
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  for (const m of failures.messages) {
    if (m.kind === 'target-failed') exercised.failedByClass[m.errorClass] = (exercised.failedByClass[m.errorClass] ?? 0) + 1;
  }
  exercised.secretOutageFailures = failures.messages.filter(
    (m) => m.kind === 'target-failed' && /\bsecret\b/.test(m.reason),
  ).length;
  return { report, broken: brokenInvariants(report, errors) };
}

/** Pause and resume in turn, under three sources, sometimes scoped to a provider: a day of windows and incidents. */
function commandOf(i: number, random: () => number): Command {
  const source = SOURCES[Math.floor(i / 2) % SOURCES.length] ?? 'manual';
  const scoped = Math.floor(i / 2) % 4 === 3;
  const provider = PROVIDERS[Math.floor(random() * PROVIDERS.length)] ?? 'huawei-drs';
  return parseCommand({
    action: i % 2 === 0 ? 'pause' : 'resume',
    scope: scoped ? { providers: [provider] } : { all: true },
    source,
    reason: `soak command ${i + 1}`,
    requestedBy: 'soak',
  });
}

/** Runs the work queue dry with a pool of workers; some messages arrive twice, some meet a deadline mid-chunk. */
async function drainWorkers(
  sim: Simulator,
  queue: MemoryWorkQueue,
  deps: Omit<Parameters<typeof runWorkMessage>[1], 'sessions'> & { sessions: () => AccountSessions },
  options: SoakOptions,
  random: () => number,
  exercised: SoakReport['exercised'],
  errors: string[],
  commandIndex: number,
): Promise<void> {
  for (let batch = queue.drain(); batch.length > 0; batch = queue.drain()) {
    const deliveries: { message: WorkMessage; clock?: { now: () => Date; stopBy: number } }[] = [];
    // In each round, the largest first-hand chunk meets its deadline right after the provider accepts its action.
    const fresh = batch.filter((m) => m.handoff === 0);
    const cut = fresh.reduce<WorkMessage | undefined>((a, b) => (a && a.items.length >= b.items.length ? a : b), undefined);
    for (const message of batch) {
      if (message.handoff > 0) exercised.handoffs[message.phase] += message.items.length;
      deliveries.push(message === cut ? { message, clock: deadlineAfterFirstAction(sim, message) } : { message });
      if (random() < options.duplicateRate || (commandIndex === 0 && deliveries.length === 1)) {
        deliveries.push({ message });
        exercised.duplicateDeliveries += 1;
      }
    }
    await pool(deliveries, WORKER_CONCURRENCY, async ({ message, clock }) => {
      await runWorkMessage(message, { ...deps, sessions: deps.sessions(), ...clock }).catch(async (error: unknown) => {
        if (!(error instanceof ClaimsInProgressError)) {
          errors.push(String(error));
          return;
        }
        // Back to the queue, as a batch item failure: seen again in the next round, after the first delivery.
        exercised.returnedToQueue += 1;
        await queue.send(providerOf(message), [message]);
      });
    });
  }
}

function providerOf(message: WorkMessage): ProviderKey {
  return message.items[0]?.target.provider ?? 'huawei-drs';
}

/** A clock that passes the deadline as soon as the provider has accepted an action on one of the message's tasks. */
function deadlineAfterFirstAction(sim: Simulator, message: WorkMessage): { now: () => Date; stopBy: number } {
  const ids = new Set(message.items.map((i) => i.task.taskId));
  const from = sim.applied.length;
  const stopBy = Date.now() + 3_600_000;
  return {
    stopBy,
    now: () => (sim.applied.slice(from).some((a) => ids.has(a.taskId)) ? new Date(stopBy + 1) : new Date()),
  };
}

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(size, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** The wire state a task shows when paused (the first of the simulator's paused states for its provider). */
const pausedState = (provider: ProviderKey): string => STATES[provider].paused[0] ?? '';

/** Someone pauses about one running task in twenty by hand mid-soak: from then on they are not ours to resume. */
function pauseSomeByHand(sim: Simulator, tasks: readonly SimTask[], foreign: Map<string, number>, random: () => number): number {
  let count = 0;
  for (const { provider, id } of tasks) {
    const task = sim.task(provider, id);
    if (!task || !STATES[provider].running.includes(task.state) || random() > 0.05) continue;
    sim.setTaskState(provider, id, pausedState(provider));
    foreign.set(`${provider}/${id}`, Date.now());
    count += 1;
  }
  return count;
}

/** Every secret value the simulator's accounts hold, plus the Redis passwords its DCS tasks carry. */
function seededSecrets(sim: Simulator, options: SoakOptions): string[] {
  const values = new Set<string>();
  for (const text of Object.values(sim.secretEnv())) collectStrings(JSON.parse(text), values, /key$|sk$|ak$|password|token/i);
  for (let order = 0; order < options.tasksPerProvider * 4; order++) {
    const { source, target } = fakeRedisPasswords(order);
    values.add(source);
    values.add(target);
  }
  return [...values].filter((v) => v.length >= 8);
}

function collectStrings(value: unknown, into: Set<string>, keyPattern: RegExp, key = ''): void {
  if (typeof value === 'string' && keyPattern.test(key)) into.add(value);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectStrings(v, into, keyPattern, k);
  }
}

/** A mocked Secrets Manager serving the simulator's secrets, which can be made to fail like a regional outage. */
function outageableSecretsManager(env: Record<string, string>) {
  const client = new SecretsManagerClient({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'FAKESOAKACCESSKEY', secretAccessKey: 'FAKESOAKSECRETKEY' },
    maxAttempts: 1,
  });
  let outage = false;
  mockClient(client)
    .on(GetSecretValueCommand)
    .callsFake((input: { SecretId?: string }) => {
      if (outage) {
        const error = new Error('Secrets Manager is unavailable (simulated outage)');
        error.name = 'ServiceUnavailableException';
        throw error;
      }
      const name = (input.SecretId ?? '').replace(/^mp\//, '');
      return { SecretString: env[name] };
    });
  return { client, setOutage: (on: boolean) => (outage = on) };
}

async function measure(
  sim: Simulator,
  results: { command: Command; result: RunResult; from: number; to: number }[],
  ledger: MemoryLedger,
  dlq: readonly FailureMessage[],
  foreign: ReadonlyMap<string, number>,
  secretValues: readonly string[],
  errors: readonly string[],
  exercised: SoakReport['exercised'],
): Promise<SoakReport> {
  let targets = 0;
  let outcomes = 0;
  let failed = 0;
  let failedInDlq = 0;
  const inDlq = new Set(dlq.flatMap((m) => (m.kind === 'target-failed' ? [`${m.commandId}|${targetKey(m.target)}`] : [])));
  const recorded: TargetOutcome[][] = [];
  for (const { command, result } of results) {
    const byKey = new Map((await ledger.outcomesOf(command.commandId)).map((o) => [targetKey(o.target), o]));
    recorded.push([...byKey.values()]);
    for (const { target } of result.plan.targets) {
      targets += 1;
      const outcome = byKey.get(targetKey(target));
      if (!outcome) continue;
      outcomes += 1;
      if (outcome.outcome !== 'failed') continue;
      failed += 1;
      if (inDlq.has(`${command.commandId}|${targetKey(target)}`)) failedInDlq += 1;
    }
  }
  exercised.providerRequests = sim.requests.length;
  exercised.faultsInjected = sim.requests.filter((r) => r.status === 0 || r.status === 429 || r.status >= 500).length;
  const everything = JSON.stringify([results.map((r) => r.result), recorded, await ledger.pausedByUs(), dlq, errors]);
  return {
    targets,
    outcomes,
    lost: targets - outcomes,
    duplicateProviderActions: duplicateActions(sim.applied, results),
    resumedNotOurs: sim.applied.filter((a) => a.at >= (foreign.get(`${a.provider}/${a.taskId}`) ?? Number.POSITIVE_INFINITY))
      .length,
    failedInDlq,
    failed,
    secretHits: secretHits(everything, secretValues),
    seconds: 0,
    exercised,
  };
}

/** Per command (commands run one after another), each task may be acted on once; every extra action counts. */
function duplicateActions(applied: readonly AppliedAction[], results: readonly { from: number; to: number }[]): number {
  let extra = 0;
  for (const { from, to } of results) {
    const seen = new Set<string>();
    for (const action of applied) {
      if (action.at < from || action.at > to) continue;
      const key = `${action.provider}/${action.taskId}`;
      if (seen.has(key)) extra += 1;
      seen.add(key);
    }
  }
  return extra;
}

/** Occurrences of any seeded secret, as is, base64-encoded or URL-encoded. */
export function secretHits(text: string, secrets: readonly string[]): number {
  let hits = 0;
  for (const secret of secrets) {
    for (const form of new Set([secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)])) {
      hits += text.split(form).length - 1;
    }
  }
  return hits;
}

function brokenInvariants(report: SoakReport, errors: readonly string[]): string[] {
  const broken: string[] = [];
  if (report.lost !== 0) broken.push(`${report.lost} targets have no recorded outcome`);
  if (report.duplicateProviderActions !== 0) broken.push(`${report.duplicateProviderActions} duplicate provider actions`);
  if (report.resumedNotOurs !== 0) broken.push(`${report.resumedNotOurs} actions on tasks someone else paused`);
  if (report.failedInDlq !== report.failed)
    broken.push(`${report.failed - report.failedInDlq} failed targets are not in the DLQ`);
  if (report.secretHits !== 0) broken.push(`${report.secretHits} secret values found in outputs`);
  if (report.exercised.handoffs.confirm === 0) broken.push('no deadline cut a chunk after its provider call');
  if (report.exercised.duplicateDeliveries === 0) broken.push('no duplicate delivery happened');
  if (errors.length) broken.push(`${errors.length} runs threw: ${errors.slice(0, 3).join(' | ')}`);
  return broken;
}
