import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createSecretsManagerSource } from '../lib/aws/secrets-manager';
import { parseAccounts } from '../lib/config';
import { type Command, parseCommand } from '../lib/core/command';
import { ClaimsInProgressError } from '../lib/core/errors';
import { type RunDeps, runCommand, runWorkMessage } from '../lib/core/run';
import { AccountSessions } from '../lib/core/sessions';
import { type RunResult, type TargetKey, type TargetOutcome, targetKey } from '../lib/core/types';
import type { WorkMessage } from '../lib/core/work';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryWorkQueue } from '../lib/local/work-queue-memory';
import { PROVIDER_KEYS, type ProviderKey } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
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
import { DeliveryLedger, DeliverySink, type HoldEvent, injected, runMortal, SoakLedger } from './faults';

export interface SoakOptions {
  commands: number;
  /** Tasks per provider (five providers): 250 gives 1,250 targets per pause of everything. */
  tasksPerProvider: number;
  accountsPerProvider: number;
  /** Share of provider requests answered with a fault (429, 5xx, a timeout, a reset), 0..1. */
  faultRate: number;
  /** Share of commands and of work messages delivered twice, 0..1. */
  duplicateRate: number;
  seed: number;
  /** Plans with more acting targets than this go to the work queues (the incident function's MP_INPROCESS_LIMIT). */
  inProcessLimit?: number;
  /** Share of pause/resume calls whose response is lost after the provider applied them, 0..1 (default 0.03). */
  dropRate?: number;
  /** Share of worker deliveries killed between a provider call and their next ledger write, 0..1 (default 0.05). */
  killRate?: number;
  /** Share of a worker's ledger writes that fail, 0..1 (default 0.0005). */
  ledgerFaultRate?: number;
  /** Share of a worker's failures-queue sends (carrying failures) that fail, 0..1 (default 0.2). */
  sendFaultRate?: number;
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
  /**
   * Actions on tasks someone else paused (by hand, before or during the soak): we must never resume them. Not counted
   * here: tasks a pause of ours reached after the hand pause with its answer lost (`exercised.resumedUnknowable`).
   */
  resumedNotOurs: number;
  /** Failed targets with a message on the DLQ; must equal `failed`. */
  failedInDlq: number;
  failed: number;
  /** Failed targets with no DLQ message for (command, target). */
  failedNotInDlq: number;
  /** Failed outcomes of targets whose action the provider applied within that command (it succeeded). */
  falseFailures: number;
  /** Tasks our commands paused, paused at the provider after the last command, with no hold of ours (pending or held). */
  orphaned: number;
  /** Resumes the provider applied while a hold of another source than the resuming command's counted. */
  resumedWhileHeld: number;
  /** Tasks our commands paused still paused after every source's final resume. */
  stillPausedAtEnd: number;
  /** Holds left in the ledger after every source's final resume. */
  holdsLeftAtEnd: number;
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
    /** Worker deliveries killed after the provider applied one of their actions, before their next ledger write. */
    killedWorkers: number;
    /** Pause/resume calls the provider applied and whose response was lost (connection dropped). */
    droppedResponses: number;
    /** Targets of a slow account handed on in the confirm phase: the provider was slower than the worker's time. */
    slowConfirmations: number;
    /** Ledger writes that failed (the delivery threw, its message came back). */
    ledgerWriteFailures: number;
    /** Failures-queue sends that failed (the delivery threw, its message came back). */
    failureSendFailures: number;
    /** Incident pauses started while a window resume's workers ran. */
    incidentRaces: number;
    /** Messages delivered again after a delivery died or threw (after its leases expired). */
    redeliveries: number;
    /** Pauses refused as irreversible (DCS backup imports: a stop could never be undone), left running. */
    irreversibleRefused: number;
    /**
     * Resume work no hold accounted for (sent to the failures queue as suspicious-work). The soak forges nothing, so
     * each is a resume whose hold went between its plan and its worker: worth a look when it is more than a few.
     */
    suspiciousWork: number;
    /**
     * Actions on tasks someone paused by hand while a pause request of ours for them got no answer or a server error
     * (either may have been carried out): read back paused,
     * such a task is taken for ours, as a lost answer to a pause that worked must be. Counted apart from
     * `resumedNotOurs`: no one could tell these apart.
     */
    resumedUnknowable: number;
    /** Final resumes run at the end, one per source used (and again while anything was left paused). */
    finalResumes: number;
  };
}

export interface SoakResult {
  report: SoakReport;
  /** Invariants that broke, in words; empty when the soak passed. */
  broken: string[];
}

const SOURCES = ['window:business-hours', 'INC-4242', 'cost-guard'] as const;
const WINDOW_SOURCE = SOURCES[0];
const PROVIDERS: readonly ProviderKey[] = PROVIDER_KEYS;
const WORKER_CONCURRENCY = 16;
/**
 * Per-request timeout. The simulator shares this process's event loop, so under the soak's load an honest answer
 * can take a few hundred milliseconds; shorter timeouts fail reads that were only slow (measured: 300 ms failed
 * about 2% of resume read-backs after four attempts).
 */
const SOAK_TIMEOUT_MS = 1_500;
/** A worker's time (its leases and claims end then, by the ledger's clock), and when it stops starting calls. */
const WORKER_LIFETIME_MS = 5 * 60_000;
const WORKER_STOP_MS = 10_000;
/** A command's leases (by the ledger's clock): longer than any command takes. */
const COMMAND_LIFETIME_MS = 15 * 60_000;
/** The slow accounts' provider transition, and how soon their first-hand workers' time runs out. */
const SLOW_TRANSITION_MS = 800;
const SLOW_STOP_MS = 250;
const ACTION_PATHS = ['/pause', '/stop', '/start', 'batch-stop', 'batch-restart', 'batch-pause-task', 'batch-retry-task'];
/** The actions of the providers that name them in X-Amz-Target rather than in the path (AWS DMS). */
const ACTION_OPERATIONS = ['StopReplicationTask', 'StartReplicationTask'];

interface CommandRun {
  command: Command;
  result: RunResult;
  /** sim.applied indexes this command's run spans: [from, to). */
  from: number;
  to: number;
}

interface Soak {
  sim: Simulator;
  options: SoakOptions;
  random: () => number;
  ledger: SoakLedger;
  failures: MemoryFailureSink;
  workQueue: MemoryWorkQueue;
  /** Sessions of one invocation. */
  sessions: () => AccountSessions;
  exercised: SoakReport['exercised'];
  errors: string[];
  slowAccounts: ReadonlySet<string>;
  runs: CommandRun[];
  /** `provider/taskId` → when someone outside paused it by hand (0: before the soak). */
  foreign: ReadonlyMap<string, number>;
}

/**
 * Runs `commands` pause/resume commands through the Lambda-shaped pipeline (plan → work queues → workers) against
 * the simulator with faults injected — 429/503/timeouts/resets, lost responses after the provider applied an
 * action, a slow region, duplicate deliveries, workers killed between a provider call and their ledger write,
 * failing ledger writes and failures-queue sends, a Secrets Manager outage, forced deadlines, incident pauses racing
 * window resumes — then checks the invariants from what the simulator saw and what the ledger and DLQ hold.
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
  // A slow region: the last account of two providers changes state SLOW_TRANSITION_MS after an action.
  const slowAccounts = new Set(
    (['ncp-object-migration', 'huawei-drs'] as const).flatMap((p) => scenario.accounts.filter((a) => a.provider === p).slice(-1)),
  );
  const share = options.faultRate / 4;
  const drop = options.dropRate ?? 0.03;
  const sim = await startSimulator({
    scenario: {
      ...scenario,
      accounts: scenario.accounts.map((a) => (slowAccounts.has(a) ? { ...a, transitionMs: SLOW_TRANSITION_MS } : a)),
      transitionMs: 40,
      // Providers that quote the account's keys back in names, per-job errors and error bodies: secretHits must stay 0.
      echoSecrets: true,
      faults: [
        { kind: 'http', status: 429, probability: share },
        { kind: 'http', status: 503, probability: share / (1 - share) },
        { kind: 'timeout', probability: share / (1 - 2 * share) },
        { kind: 'reset', probability: share / (1 - 3 * share) },
        ...ACTION_PATHS.map((path) => ({
          kind: 'drop-after-apply' as const,
          method: 'POST',
          pathIncludes: path,
          probability: drop,
        })),
        ...ACTION_OPERATIONS.map((operation) => ({
          kind: 'drop-after-apply' as const,
          method: 'POST',
          operation,
          probability: drop,
        })),
      ],
    },
  });
  // Tasks someone else paused before the soak started: never ours to resume.
  const foreign = new Map<string, number>();
  for (const task of scenario.tasks) {
    if (STATES[task.provider].paused.includes(task.state)) foreign.set(`${task.provider}/${task.id}`, 0);
  }
  try {
    return await soakAgainst(
      sim,
      scenario.tasks,
      foreign,
      options,
      random,
      log,
      started,
      new Set([...slowAccounts].map((a) => a.name)),
    );
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
  slowAccounts: ReadonlySet<string>,
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
  const soak: Soak = {
    sim,
    options,
    random,
    // One set of sessions per Lambda invocation, like the functions: each opens its own rate limiter and session.
    sessions: () => new AccountSessions(accounts, adapters, secrets, { retry }),
    ledger: new SoakLedger(() => sim.applied.length),
    failures: new MemoryFailureSink(),
    workQueue: new MemoryWorkQueue(),
    errors: [],
    slowAccounts,
    runs: [],
    foreign,
    exercised: {
      providerRequests: 0,
      faultsInjected: 0,
      duplicateDeliveries: 0,
      returnedToQueue: 0,
      handoffs: { act: 0, hold: 0, confirm: 0 },
      secretOutageFailures: 0,
      failedByClass: {},
      accountFailures: 0,
      handPaused: 0,
      killedWorkers: 0,
      droppedResponses: 0,
      slowConfirmations: 0,
      ledgerWriteFailures: 0,
      failureSendFailures: 0,
      incidentRaces: 0,
      redeliveries: 0,
      finalResumes: 0,
      resumedUnknowable: 0,
      irreversibleRefused: 0,
      suspiciousWork: 0,
    },
  };
  const { exercised, errors } = soak;
  // The outage: Secrets Manager fails while one command is planned (its accounts cannot be listed), and while the
  // next one's workers run (their targets fail as retryable, for a redrive).
  const outageAt = Math.floor(options.commands * 0.4) | 1;
  const secretRefs = accounts.flatMap((a) => (a.secret === undefined ? [] : [a.secret]));
  const setOutage = (on: boolean) => {
    secretsManager.setOutage(on);
    for (const ref of secretRefs) secrets.invalidate(ref);
  };
  const sources = new Set<string>(SOURCES);
  // The first pause from two thirds of the way on.
  const handPauseInFlightAt = Math.floor((options.commands * 2) / 3) + (Math.floor((options.commands * 2) / 3) % 2);

  for (let i = 0; i < options.commands; i++) {
    const command = commandOf(i, random);
    setOutage(i === outageAt);
    if (i === Math.floor(options.commands / 3)) await handPause(soak, tasks, foreign, `before command ${i + 1}`);
    const from = sim.applied.length;
    const duplicate = random() < options.duplicateRate || i === 1;
    const deliveries = duplicate ? 2 : 1;
    if (duplicate) exercised.duplicateDeliveries += 1;
    // A duplicate delivery of a command runs at the same time as the first, as two Lambdas would.
    const runs = await Promise.all(Array.from({ length: deliveries }, () => deliverCommand(soak, command)));
    setOutage(i === outageAt + 1);
    // Someone pauses tasks by hand while a pause is under way: planned running, they are paused before a worker
    // gets to them. Ours to neither hold nor resume.
    if (i === handPauseInFlightAt) await handPause(soak, tasks, foreign, `while command ${i + 1} was in flight`);
    // An incident is declared while the evening's resume is under way: its pause races the resume's workers.
    let incident: Promise<unknown> = Promise.resolve();
    let incidentCommand: Command | undefined;
    if (command.action === 'resume' && command.source === WINDOW_SOURCE) {
      incidentCommand = incidentOf(exercised.incidentRaces + 1, random);
      sources.add(incidentCommand.source);
      exercised.incidentRaces += 1;
      const started = incidentCommand;
      incident = new Promise((resolve) => setTimeout(resolve, 5)).then(() => runTracked(soak, started, { racing: true }));
    }
    await drainWorkers(soak, i, () => incident);
    await incident;
    await drainWorkers(soak, i);
    // A delivery that went back to the queue comes again once the first has finished: it replays, acts on nothing.
    if (runs.includes(undefined) && runs.some((r) => r !== undefined)) {
      await deliverCommand(soak, command, 'redelivered command');
      await drainWorkers(soak, i);
    }
    const result = runs.find((r) => r !== undefined);
    if (result) soak.runs.push({ command, result, from, to: sim.applied.length });
    exercised.accountFailures += result?.plan.accountFailures.length ?? 0;
    log(
      `command ${i + 1}/${options.commands} ${command.action} ${command.source}: ${JSON.stringify(result?.summary.totals ?? {})}`,
    );
    if (incidentCommand) {
      // The incident is over: its own source resumes what it held.
      await runTracked(soak, resumeOf(incidentCommand.source, `incident ${incidentCommand.source} resolved`));
      await drainWorkers(soak, i);
    }
  }
  setOutage(false);

  const orphaned = await orphanedTasks(soak, tasks, foreign);
  // The end of the day: every source used resumes what it holds, until nothing of ours is left paused (an operator
  // would redrive what failed).
  for (let pass = 0; pass < 3; pass++) {
    if (pass > 0 && (await soak.ledger.pausedByUs()).length === 0) break;
    for (const source of sources) {
      exercised.finalResumes += 1;
      await runTracked(soak, resumeOf(source, `end of soak, pass ${pass + 1}`));
      await drainWorkers(soak, options.commands);
    }
  }
  log(`final resumes: ${exercised.finalResumes}`);

  const report = await measure(sim, soak, tasks, foreign, secretValues, orphaned);
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  for (const m of soak.failures.messages) {
    if (m.kind === 'target-failed') exercised.failedByClass[m.errorClass] = (exercised.failedByClass[m.errorClass] ?? 0) + 1;
  }
  exercised.secretOutageFailures = soak.failures.messages.filter(
    (m) => m.kind === 'target-failed' && /\bsecret\b/.test(m.reason),
  ).length;
  return { report, broken: brokenInvariants(report, errors) };
}

/** One delivery of a command, as the command function runs it; undefined when it went back to the queue or threw. */
async function deliverCommand(
  soak: Soak,
  command: Command,
  context = '',
  extra: Partial<RunDeps> = {},
): Promise<RunResult | undefined> {
  return runCommand(command, {
    sessions: soak.sessions(),
    ledger: soak.ledger,
    failures: soak.failures,
    workQueue: soak.workQueue,
    inProcessLimit: soak.options.inProcessLimit ?? 60,
    deadline: soak.ledger.clock() + COMMAND_LIFETIME_MS,
    ...extra,
  }).catch((error: unknown) => {
    if (error instanceof ClaimsInProgressError && !context) soak.exercised.returnedToQueue += 1;
    else soak.errors.push(`${context ? `${context}: ` : ''}${String(error)}`);
    return undefined;
  });
}

/** Runs one command (an incident's, a final resume) and keeps it for the invariants. */
async function runTracked(soak: Soak, command: Command, how: { racing?: boolean } = {}): Promise<void> {
  const from = soak.sim.applied.length;
  // A racing incident stops starting calls in time, like a Lambda: a target the resume holds is handed on.
  const result = await deliverCommand(soak, command, command.source, how.racing ? { stopBy: Date.now() + WORKER_STOP_MS } : {});
  if (result) soak.runs.push({ command, result, from, to: soak.sim.applied.length });
  soak.options.log?.(`  ${command.action} ${command.source}: ${JSON.stringify(result?.summary.totals ?? {})}`);
}

function resumeOf(source: string, reason: string): Command {
  return parseCommand({ action: 'resume', scope: { all: true }, source, reason, requestedBy: 'soak' });
}

/** An incident pause of one provider's tasks under its own source. */
function incidentOf(n: number, random: () => number): Command {
  const provider = PROVIDERS[Math.floor(random() * PROVIDERS.length)] ?? 'huawei-oms';
  return parseCommand({
    action: 'pause',
    scope: { providers: [provider] },
    source: `INC-${9000 + n}`,
    reason: `soak incident ${n}`,
    requestedBy: 'soak',
  });
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

/**
 * Runs the work queue dry with a pool of workers. Some messages arrive twice, some meet a deadline mid-chunk (a
 * slow account's while its provider is still changing state), some workers die after a provider call or throw on a
 * failing ledger write or failures-queue send: those messages come back once their claims' leases have expired, as
 * SQS redelivers after the visibility timeout.
 */
async function drainWorkers(soak: Soak, commandIndex: number, quiesce: () => Promise<unknown> = async () => undefined) {
  const { sim, options, random, exercised, errors, workQueue: queue } = soak;
  for (let batch = queue.drain(); batch.length > 0; batch = queue.drain()) {
    const deliveries: { message: WorkMessage; clock?: { now?: () => Date; stopBy: number } }[] = [];
    // In each round, the largest first-hand chunk meets its deadline right after the provider accepts its action.
    const fresh = batch.filter((m) => m.handoff === 0 && !soak.slowAccounts.has(m.account));
    const cut = fresh.reduce<WorkMessage | undefined>((a, b) => (a && a.items.length >= b.items.length ? a : b), undefined);
    for (const message of batch) {
      if (message.handoff > 0) exercised.handoffs[message.phase] += message.items.length;
      if (message.handoff > 0 && message.phase === 'confirm' && soak.slowAccounts.has(message.account)) {
        exercised.slowConfirmations += message.items.length;
      }
      // A slow account's first-hand worker has less time left than its provider takes to change state.
      const slow = message.handoff === 0 && message.phase !== 'confirm' && soak.slowAccounts.has(message.account);
      deliveries.push(
        message === cut
          ? { message, clock: deadlineAfterFirstAction(sim, message) }
          : slow
            ? { message, clock: { stopBy: Date.now() + SLOW_STOP_MS } }
            : { message },
      );
      if (random() < options.duplicateRate || (commandIndex === 0 && deliveries.length === 1)) {
        deliveries.push({ message });
        exercised.duplicateDeliveries += 1;
      }
    }
    const later: WorkMessage[] = [];
    await pool(deliveries, WORKER_CONCURRENCY, async ({ message, clock }) => {
      const ledger = deliveryLedger(soak, message);
      const failures = new DeliverySink(
        soak.failures,
        ledger,
        exercised.failureSendFailures === 0 ? 1 : (options.sendFaultRate ?? 0.2),
        random,
        () => {
          exercised.failureSendFailures += 1;
        },
      );
      const stopBy = clock?.stopBy ?? Date.now() + WORKER_STOP_MS;
      await runMortal(
        () => ledger.dead,
        () =>
          runWorkMessage(message, {
            sessions: soak.sessions(),
            ledger,
            failures,
            workQueue: queue,
            deadline: soak.ledger.clock() + WORKER_LIFETIME_MS,
            ...clock,
            stopBy,
          }),
      ).catch(async (error: unknown) => {
        if (injected(error)) {
          later.push(message);
          return;
        }
        if (!(error instanceof ClaimsInProgressError)) {
          errors.push(String(error));
          return;
        }
        // Back to the queue, as a batch item failure: seen again in the next round, after the first delivery.
        exercised.returnedToQueue += 1;
        await queue.send(providerOf(message), [message]);
      });
    });
    if (later.length) {
      // The visibility timeout: whatever else is running finishes, the dead deliveries' leases and claims expire,
      // and the provider has long finished what they asked of it. Then SQS delivers those messages again.
      await quiesce();
      soak.ledger.advance(WORKER_LIFETIME_MS + 1_000);
      await new Promise((resolve) => setTimeout(resolve, SLOW_TRANSITION_MS + 100));
      exercised.redeliveries += later.length;
      for (const message of later) await queue.send(providerOf(message), [message]);
    }
  }
}

/**
 * One worker delivery's ledger: some writes fail; some deliveries are killed once the provider applied an action
 * for one of their tasks, at their first to fourth ledger write after it (and do nothing after).
 */
function deliveryLedger(soak: Soak, message: WorkMessage): DeliveryLedger {
  const { exercised, random, options, sim } = soak;
  const ids = new Set(message.items.map((i) => `${i.target.provider}/${i.task.taskId}`));
  const from = sim.applied.length;
  let seen = from;
  let armed = false;
  const kills = random() < (exercised.killedWorkers === 0 ? 1 : (options.killRate ?? 0.05));
  return new DeliveryLedger(soak.ledger, {
    ...(kills
      ? {
          kill: {
            afterWrites: Math.floor(random() * 4),
            armed: () => {
              for (; !armed && seen < sim.applied.length; seen++) {
                const a = sim.applied[seen];
                if (a && ids.has(`${a.provider}/${a.taskId}`)) armed = true;
              }
              return armed;
            },
          },
        }
      : {}),
    writeFailureRate: exercised.ledgerWriteFailures === 0 ? 0.02 : (options.ledgerFaultRate ?? 0.0005),
    random,
    onKill: () => {
      exercised.killedWorkers += 1;
    },
    onWriteFailure: () => {
      exercised.ledgerWriteFailures += 1;
    },
  });
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
/** Someone outside this system pauses some running tasks (logged, with the holds of ours they had then). */
async function handPause(soak: Soak, tasks: readonly SimTask[], foreign: Map<string, number>, when: string): Promise<void> {
  const before = new Set(foreign.keys());
  soak.exercised.handPaused += pauseSomeByHand(soak.sim, tasks, foreign, soak.random);
  const byHand = tasks.filter((t) => foreign.has(`${t.provider}/${t.id}`) && !before.has(`${t.provider}/${t.id}`));
  for (const t of byHand) {
    const key = `${t.provider}/${t.account}/${t.id}`;
    const holds = (await soak.ledger.holdsOf([key])).map((h) => `${h.source}:${h.status ?? 'held'}:${h.commandId}`);
    soak.options.log?.(`paused by hand ${when}: ${key}; our holds on it then: ${holds.join(', ') || 'none'}`);
    if (holds.length > 0) await logTaskStory(soak, key, 'its story until then');
  }
}

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
  for (const text of Object.values(sim.secretEnv()))
    collectStrings(JSON.parse(text), values, /key$|keyid$|sk$|ak$|password|token/i);
  for (let order = 0; order < options.tasksPerProvider * PROVIDERS.length; order++) {
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
  soak: Soak,
  tasks: readonly SimTask[],
  foreign: ReadonlyMap<string, number>,
  secretValues: readonly string[],
  orphaned: number,
): Promise<SoakReport> {
  const { runs, ledger, exercised, errors } = soak;
  const dlq = soak.failures.messages;
  let targets = 0;
  let outcomes = 0;
  let failed = 0;
  let failedInDlq = 0;
  let falseFailures = 0;
  const inDlq = new Set(dlq.flatMap((m) => (m.kind === 'target-failed' ? [`${m.commandId}|${targetKey(m.target)}`] : [])));
  const keyOf = taskKeys(tasks);
  const recorded: TargetOutcome[][] = [];
  for (const run of runs) {
    const { command, result } = run;
    const byKey = new Map((await ledger.outcomesOf(command.commandId)).map((o) => [targetKey(o.target), o]));
    recorded.push([...byKey.values()]);
    // The tasks the provider moved this command's way while it ran: its action succeeded on them.
    const succeeded = new Set<string>();
    for (let i = run.from; i < run.to; i++) {
      const a = sim.applied[i];
      if (a && directionOf(a) === command.action) succeeded.add(keyOf(a));
    }
    for (const { target } of result.plan.targets) {
      targets += 1;
      const outcome = byKey.get(targetKey(target));
      if (!outcome) continue;
      outcomes += 1;
      if (outcome.outcome !== 'failed') continue;
      failed += 1;
      if (inDlq.has(`${command.commandId}|${targetKey(target)}`)) failedInDlq += 1;
      if (succeeded.has(targetKey(target))) {
        falseFailures += 1;
        soak.options.log?.(`false failure: ${command.source} ${command.action} ${targetKey(target)}: ${outcome.reason}`);
        if (falseFailures <= 3) await logTaskStory(soak, targetKey(target), 'its story');
      }
    }
  }
  exercised.providerRequests = sim.requests.length;
  exercised.faultsInjected = sim.requests.filter((r) => r.status === 0 || r.status === 429 || r.status >= 500).length;
  exercised.droppedResponses = sim.requests.filter((r) => r.fault === 'drop-after-apply' && isActionRequest(r)).length;
  const everything = JSON.stringify([runs.map((r) => r.result), recorded, await ledger.pausedByUs(), dlq, errors]);
  // DCS cannot restart a backup import it stopped: no command of the soak allows such a stop, so none is paused,
  // and every task the soak paused counts here.
  exercised.irreversibleRefused = recorded
    .flat()
    .filter((o) => o.outcome === 'unsupported' && o.target.resumeUnsupportedReason !== undefined).length;
  exercised.suspiciousWork = dlq.filter((m) => m.kind === 'suspicious-work').length;
  for (const m of dlq)
    if (m.kind === 'suspicious-work') soak.options.log?.(`suspicious work: ${m.source} ${targetKey(m.target)}: ${m.reason}`);
  const still = pausedByOurLastAction(sim, foreign);
  for (const a of still) soak.options.log?.(`still paused: ${keyOf(a)} (${sim.task(a.provider, a.taskId)?.state})`);
  const holdsLeft = await ledger.pausedByUs();
  for (const h of holdsLeft) soak.options.log?.(`hold left: ${h.key} ${h.source} ${h.status} (${ledger.leaseOf(h.key)})`);
  // Every action on a task someone paused by hand, with what the ledger remembers of that task: what to look at.
  const unknowable = pausedUnderLostAnswers(sim, tasks, foreign);
  const actedOnHandPaused = sim.applied.filter(
    (a) => a.at >= (foreign.get(`${a.provider}/${a.taskId}`) ?? Number.POSITIVE_INFINITY),
  );
  const notOurs = actedOnHandPaused.filter((a) => !unknowable.has(`${a.provider}/${a.taskId}`));
  exercised.resumedUnknowable = actedOnHandPaused.length - notOurs.length;
  for (const key of unknowable) soak.options.log?.(`paused by hand while our pause of it got no answer: ${key}`);
  for (const a of notOurs) {
    const key = keyOf(a);
    const since = foreign.get(`${a.provider}/${a.taskId}`) ?? 0;
    await logTaskStory(soak, key, `acted on a task paused by hand, toward ${a.toward}, ${a.at - since} ms after the hand pause`);
  }
  return {
    targets,
    outcomes,
    lost: targets - outcomes,
    duplicateProviderActions: duplicateActions(sim.applied, runs, keyOf),
    resumedNotOurs: notOurs.length,
    failedInDlq,
    failed,
    failedNotInDlq: failed - failedInDlq,
    falseFailures,
    orphaned,
    resumedWhileHeld: resumedWhileHeld(sim, soak, keyOf),
    stillPausedAtEnd: still.length,
    holdsLeftAtEnd: holdsLeft.length,
    secretHits: secretHits(everything, secretValues),
    seconds: 0,
    exercised,
  };
}

/** `provider/taskId` of an applied action → the task's target key (provider/account/taskId). */
function taskKeys(tasks: readonly SimTask[]): (a: AppliedAction) => TargetKey {
  const keys = new Map(
    tasks.map((t) => [`${t.provider}/${t.id}`, targetKey({ provider: t.provider, account: t.account, taskId: t.id })]),
  );
  return (a) => keys.get(`${a.provider}/${a.taskId}`) ?? `${a.provider}/?/${a.taskId}`;
}

/** Which way an applied action moved the task: toward a running state is a resume, anything else a pause. */
function directionOf(a: AppliedAction): 'pause' | 'resume' {
  return STATES[a.provider].running.includes(a.toward) ? 'resume' : 'pause';
}

/** Tasks whose last action of ours was a pause, still not running (hand-paused tasks after it are not ours). */
function pausedByOurLastAction(sim: Simulator, foreign: ReadonlyMap<string, number>): AppliedAction[] {
  const last = new Map<string, AppliedAction>();
  for (const a of sim.applied) last.set(`${a.provider}/${a.taskId}`, a);
  return [...last.values()].filter((a) => {
    if (directionOf(a) !== 'pause') return false;
    if ((foreign.get(`${a.provider}/${a.taskId}`) ?? -1) > a.at) return false;
    const state = sim.task(a.provider, a.taskId)?.state ?? '';
    return !STATES[a.provider].running.includes(state);
  });
}

/** Tasks our commands paused, paused now, with no hold of ours on them at all. */
async function orphanedTasks(soak: Soak, tasks: readonly SimTask[], foreign: ReadonlyMap<string, number>): Promise<number> {
  const { sim, ledger } = soak;
  const held = new Set((await ledger.pausedByUs()).map((h) => `${h.target.provider}/${h.target.taskId}`));
  const orphans = pausedByOurLastAction(sim, foreign).filter((a) => !held.has(`${a.provider}/${a.taskId}`));
  // What to look at: the first few orphans' story, the provider's actions and the ledger's hold changes in order.
  const keyOf = taskKeys(tasks);
  for (const orphan of orphans.slice(0, 3)) await logTaskStory(soak, keyOf(orphan), 'orphaned');
  return orphans.length;
}

/**
 * A task's story in time order: every action request the provider got for it (with its answer, or the fault it met),
 * every action it applied (with the command whose run it fell in), every change of our holds on it; then its
 * outcomes.
 */
async function logTaskStory(soak: Soak, key: TargetKey, why: string): Promise<void> {
  const log = soak.options.log;
  if (!log) return;
  const [provider, , taskId = ''] = key.split('/');
  log(`${why}: ${key}`);
  const lines: { at: number; text: string }[] = [];
  const commandAt = (index: number) => soak.runs.find((r) => index >= r.from && index < r.to)?.command;
  soak.sim.applied.forEach((a, index) => {
    if (a.provider !== provider || a.taskId !== taskId) return;
    const command = commandAt(index);
    const by = command ? `${command.action} ${command.source} ${command.commandId}` : 'in flight';
    lines.push({ at: a.at, text: `provider #${index} applied: toward ${a.toward} (during ${by})` });
  });
  for (const r of soak.sim.requests) {
    if (
      r.provider !== provider ||
      !isActionRequest(r) ||
      !(r.path.includes(encodeURIComponent(taskId)) || r.body.includes(taskId))
    )
      continue;
    const op = r.headers['x-amz-target']?.split('.').at(-1) ?? r.path.split('?')[0]?.split('/').at(-1);
    lines.push({ at: r.at, text: `request ${op}: ${r.status || 'no answer'}${r.fault ? ` (${r.fault})` : ''}` });
  }
  for (const e of soak.ledger.events) {
    if (e.key === key) lines.push({ at: e.at, text: `hold ${e.op} ${e.source ?? '(all)'}${e.status ? ` ${e.status}` : ''}` });
  }
  const byHand = soak.foreign.get(`${provider}/${taskId}`);
  if (byHand) lines.push({ at: byHand, text: 'paused by hand' });
  lines.sort((a, b) => a.at - b.at);
  for (const line of lines) log(`  ${new Date(line.at).toISOString()} ${line.text}`);
  for (const entry of await soak.ledger.history({ targetKey: key })) {
    const o = entry.outcome;
    log(
      `  outcome ${entry.commandId} ${o.startedAt ?? ''}..${o.finishedAt}: ${o.outcome}${o.errorClass ? ` ${o.errorClass}` : ''}${o.notApplied ? ' notApplied' : ''} ${o.reason ?? ''}`,
    );
  }
}

/** The pause requests among ACTION_PATHS and ACTION_OPERATIONS. */
const PAUSE_PATHS = ['/pause', '/stop', 'batch-stop', 'batch-pause-task'];
const PAUSE_OPERATION = 'StopReplicationTask';

/**
 * Hand-paused tasks a pause request of ours reached after the hand pause and got no answer back from (a timeout, a
 * reset, an answer dropped), or a server error (which may have been carried out): the system then reads the task
 * paused, which is exactly what that request may have done, and takes it for ours (the README's "how it leans"). No
 * system could tell the two apart, so actions on these tasks are counted apart (`exercised.resumedUnknowable`), not
 * as `resumedNotOurs`.
 */
function pausedUnderLostAnswers(sim: Simulator, tasks: readonly SimTask[], foreign: ReadonlyMap<string, number>): Set<string> {
  const unknowable = new Set<string>();
  const unanswered = sim.requests.filter(
    (r) =>
      (r.status === 0 || r.status >= 500) &&
      r.method === 'POST' &&
      (PAUSE_PATHS.some((p) => r.path.includes(p)) || r.headers['x-amz-target']?.endsWith(`.${PAUSE_OPERATION}`)),
  );
  for (const task of tasks) {
    const key = `${task.provider}/${task.id}`;
    const byHand = foreign.get(key);
    if (byHand === undefined) continue;
    const lost = unanswered.some(
      (r) =>
        r.provider === task.provider &&
        r.at >= byHand &&
        (r.path.includes(encodeURIComponent(task.id)) || r.body.includes(task.id)),
    );
    if (lost) unknowable.add(key);
  }
  return unknowable;
}

/** A pause or resume request, whichever way its provider names the operation. */
function isActionRequest(r: { method: string; path: string; headers: Record<string, string> }): boolean {
  return (
    r.method === 'POST' &&
    (ACTION_PATHS.some((p) => r.path.includes(p)) || ACTION_OPERATIONS.some((o) => r.headers['x-amz-target']?.endsWith(`.${o}`)))
  );
}

/**
 * Resumes the provider applied while another source's hold counted: the ledger's hold changes are logged in order
 * with the provider's actions, so the holds of a task just before each resume are replayed exactly. A resume is the
 * resuming command's (resumes never run two at a time); forced ones and the sweep are exempt.
 */
function resumedWhileHeld(sim: Simulator, soak: Soak, keyOf: (a: AppliedAction) => TargetKey): number {
  const eventsByKey = new Map<TargetKey, HoldEvent[]>();
  for (const e of soak.ledger.events) eventsByKey.set(e.key, [...(eventsByKey.get(e.key) ?? []), e]);
  let count = 0;
  for (const run of soak.runs) {
    const { command } = run;
    if (command.action !== 'resume' || command.options.force || command.options.expiredHolds) continue;
    for (let i = run.from; i < run.to; i++) {
      const a = sim.applied[i];
      if (!a || directionOf(a) !== 'resume') continue;
      const holders = new Set<string>();
      for (const e of eventsByKey.get(keyOf(a)) ?? []) {
        if (e.appliedBefore > i) break;
        if (e.op === 'place' && e.source !== undefined) holders.add(e.source);
        else if (e.source === undefined) holders.clear();
        else holders.delete(e.source);
      }
      holders.delete(command.source);
      if (holders.size > 0) {
        count += 1;
        soak.options.log?.(`resumed while held: ${keyOf(a)} by ${command.source}, held by ${[...holders].join(', ')}`);
      }
    }
  }
  return count;
}

/** Per command, each task may be moved its way once; every extra action counts. */
function duplicateActions(
  applied: readonly AppliedAction[],
  runs: readonly CommandRun[],
  keyOf: (a: AppliedAction) => TargetKey,
): number {
  let extra = 0;
  for (const { command, from, to } of runs) {
    const seen = new Set<string>();
    for (let i = from; i < to; i++) {
      const action = applied[i];
      if (!action || directionOf(action) !== command.action) continue;
      const key = keyOf(action);
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
  if (report.failedNotInDlq !== 0) broken.push(`${report.failedNotInDlq} failed targets have no DLQ message`);
  if (report.falseFailures !== 0) broken.push(`${report.falseFailures} failed outcomes of actions that succeeded`);
  if (report.orphaned !== 0) broken.push(`${report.orphaned} tasks we paused are paused with no hold of ours`);
  if (report.resumedWhileHeld !== 0) broken.push(`${report.resumedWhileHeld} resumes while another source held the task`);
  if (report.stillPausedAtEnd !== 0) broken.push(`${report.stillPausedAtEnd} tasks we paused are still paused at the end`);
  if (report.holdsLeftAtEnd !== 0) broken.push(`${report.holdsLeftAtEnd} holds are left after every final resume`);
  if (report.secretHits !== 0) broken.push(`${report.secretHits} secret values found in outputs`);
  if (report.exercised.handoffs.confirm === 0) broken.push('no deadline cut a chunk after its provider call');
  if (report.exercised.duplicateDeliveries === 0) broken.push('no duplicate delivery happened');
  const faults = [
    'killedWorkers',
    'droppedResponses',
    'slowConfirmations',
    'ledgerWriteFailures',
    'failureSendFailures',
    'incidentRaces',
  ] as const;
  for (const fault of faults) if (report.exercised[fault] === 0) broken.push(`no ${fault} happened`);
  if (errors.length) broken.push(`${errors.length} runs threw: ${errors.slice(0, 3).join(' | ')}`);
  return broken;
}
