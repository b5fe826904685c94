import { randomUUID } from 'node:crypto';
import { defaultSleep } from '../http/rate-limiter';
import { claimItems, claimScope, recordedSinceTakeover } from './claims';
import type { Command } from './command';
import { irreversiblePause, releasesHold } from './decide';
import {
  type Chunk,
  type ChunkPhase,
  chunkConcurrency,
  chunkPlan,
  forWorkQueues,
  runChunks,
  WorkMessageBuffer,
} from './dispatch';
import { ClaimsInProgressError, InvariantError } from './errors';
import { type EventPublisher, type PauserEvent, publishEvents, runEvents, targetFailedEvents } from './events';
import { executeChunk, type HandedBack } from './execute';
import { accountFailure, type FailureSink, suspiciousWork } from './failures';
import { handOn, sendToWorkQueues } from './handoff';
import { checkResume, inParallel, pauseHoldChanges, placePendingHolds, resumeHoldChanges } from './holds';
import { withLeases } from './leases';
import { type HoldChange, holdStatus, type Lease, type Ledger, type PauseRecord } from './ledger';
import { assertOneOutcomePerTarget, failedOutcome, settledOutcome, summarize, Tally } from './outcome';
import { planPause, planResume, planResumePages } from './plan';
import { createRecorder, type Recorder } from './recorder';
import type { AccountSessions } from './sessions';
import { type Plan, type RunResult, type Summary, type TargetKey, type TargetOutcome, targetKey } from './types';
import type { WorkMessage, WorkQueue } from './work';

export { MAX_HANDOFFS } from './handoff';

export interface RunDeps {
  sessions: AccountSessions;
  ledger: Ledger;
  failures: FailureSink;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Chunks of one account in flight at once (default: from the account's rate and confirm interval, see
   * chunkConcurrency); the account's rate limiter paces the calls.
   */
  chunksPerAccount?: number;
  /** Called as each target gets its outcome (progress bars, logs). */
  onOutcome?: (outcome: TargetOutcome) => void;
  /** Where plans too large for this process go (one queue per provider). Without it, everything runs here. */
  workQueue?: WorkQueue;
  /** Most targets needing a provider call that are executed in-process when a work queue exists (default 200). */
  inProcessLimit?: number;
  /**
   * Epoch ms after which no provider call starts (on Lambda: the remaining time less a margin). Unfinished targets
   * are handed back to the work queue — never failed, never lost; without a work queue they fail as retryable.
   */
  stopBy?: number;
  /**
   * Epoch ms when this process's time ends (on Lambda: its timeout). The leases and claims it takes expire then at
   * the latest, so a process that dies frees its targets by itself. Default: stopBy plus a minute, or 15 minutes.
   */
  deadline?: number;
  /**
   * Where a finished run tells other systems what became of it (Command Completed, Target Failed). A publish that
   * fails is handed to `onFailure` and never fails the run: its outcomes are already recorded.
   */
  events?: { publisher: EventPublisher; onFailure: (error: unknown, events: readonly PauserEvent[]) => void };
}

/** How long a claim or lease of a process without a deadline (the CLI) lasts: longer than any chunk's confirmation. */
const DEFAULT_LEASE_MS = 15 * 60_000;
/** How long a writer waits for a target another command is changing, before handing it on (or failing it). */
const LEASE_WAIT_MS = 5 * 60_000;

type Clocked = RunDeps & { now: () => Date; sleep: (ms: number) => Promise<void> };

/** The run's clock and sleep; its sessions learn its stopBy (no Retry-After is waited for past it). */
function clocked(deps: RunDeps): Clocked {
  deps.sessions.stopWaitingAt(deps.stopBy);
  return { ...deps, now: deps.now ?? (() => new Date()), sleep: deps.sleep ?? defaultSleep };
}

/** This delivery's lease: a holder id of its own, expiring with its time. */
function leaseOf(scope: string, deps: Clocked): Lease {
  const expiresAt = deps.deadline ?? (deps.stopBy !== undefined ? deps.stopBy + 60_000 : deps.now().getTime() + DEFAULT_LEASE_MS);
  return { holder: `${scope}@${randomUUID()}`, expiresAt };
}

/** Plans a command, then (unless it is a dry run) dispatches and executes it in this process. */
export async function runCommand(command: Command, deps: RunDeps): Promise<RunResult> {
  const run = clocked(deps);
  const startedAt = run.now();
  const scope = claimScope(command.commandId, 0);
  const lease = leaseOf(scope, run);
  const planDeps = { sessions: deps.sessions, ledger: deps.ledger, now: run.now, lease };
  const plan = command.action === 'pause' ? await planPause(command, planDeps) : await planResume(command, planDeps);
  if (command.dryRun) return { plan, outcomes: [], summary: summarize(command, plan, undefined, startedAt, run.now()) };

  const replayed = await replayRecorded(command, plan, deps.ledger);
  const record = createRecorder(command, run);
  await record(settledOutcomes(plan, run, replayed));
  await releaseSettled(command, plan, run, lease);

  const chunks = chunkPlan(plan.targets, deps.sessions);
  const acting = chunks.reduce((n, c) => n + c.items.length, 0);
  let dispatched: Chunk[] = [];
  const inProgress: TargetKey[] = [];
  if (deps.workQueue && acting > (deps.inProcessLimit ?? 200)) {
    dispatched = forWorkQueues(chunks);
    await sendToWorkQueues(command, dispatched, deps.workQueue);
  } else {
    const handedBack: HandedBack[] = [];
    const withOthers: Chunk[] = [];
    await runChunks(chunks, deps.chunksPerAccount ?? chunkConcurrency, async (chunk) => {
      const result = await runChunk(command, chunk, run, scope, lease, record);
      handedBack.push(...result.handedBack);
      inProgress.push(...result.inProgress);
      if (result.withOthers.length) withOthers.push({ account: chunk.account, items: result.withOthers });
      await deps.ledger.flush();
    });
    dispatched = [...(await handOn(command, scope, handedBack, 1, run, record)), ...withOthers];
  }
  if (inProgress.length) throw new ClaimsInProgressError(command.commandId, inProgress);
  const outcomes = [...record.outcomes, ...replayed.values()];
  assertOneOutcomePerTarget(
    plan,
    outcomes,
    dispatched.flatMap((c) => c.items.map((i) => i.target)),
  );
  const finishedAt = run.now();
  await deps.failures.send(plan.accountFailures.map((f) => accountFailure(command, f, finishedAt.toISOString())));
  await deps.ledger.flush();
  const summary = summarize(command, plan, outcomes, startedAt, finishedAt, dispatched);
  await announce(deps, runEvents(command, outcomes, summary));
  return { plan, outcomes, summary };
}

/** Tells other systems (deps.events), after everything is recorded; never fails the run. */
export async function announce(deps: RunDeps, events: readonly PauserEvent[]): Promise<void> {
  if (deps.events) await publishEvents(deps.events.publisher, events, deps.events.onFailure);
}

/**
 * Plans a command and sends every target that needs a provider call to the work queues (the commands function's
 * job). A resume is planned and sent page by page: at 100,000 held targets this process holds one page of the
 * plan, never the whole of it, and a work message goes out as soon as it is full. The summary counts what was
 * settled here and what was dispatched. A pause lists its accounts whole anyway, and runs as runCommand does.
 */
export async function dispatchCommand(command: Command, deps: RunDeps & { workQueue: WorkQueue }): Promise<{ summary: Summary }> {
  if (command.action !== 'resume' || command.dryRun) {
    return { summary: (await runCommand(command, { ...deps, inProcessLimit: 0 })).summary };
  }
  const run = clocked(deps);
  const startedAt = run.now();
  const scope = claimScope(command.commandId, 0);
  const lease = leaseOf(scope, run);
  const planDeps = { sessions: deps.sessions, ledger: deps.ledger, now: run.now, lease };
  // A redelivered command reports what its first delivery recorded; read once, not once per page.
  const recorded = new Map((await deps.ledger.outcomesOf(command.commandId)).map((o) => [targetKey(o.target), o]));
  const buffer = new WorkMessageBuffer();
  const tally = new Tally();
  let planned = 0;
  const send = async (chunks: Chunk[]) => {
    if (chunks.length === 0) return;
    await sendToWorkQueues(command, chunks, deps.workQueue);
    tally.addDispatched(chunks);
  };
  for await (const targets of planResumePages(command, planDeps)) {
    const page: Plan = { command, targets, accountFailures: [] };
    planned += targets.length;
    const replayed = replayOf(page, recorded);
    const record = createRecorder(command, run);
    await record(settledOutcomes(page, run, replayed));
    await releaseSettled(command, page, run, lease);
    tally.addOutcomes([...record.outcomes, ...replayed.values()]);
    await send(buffer.add(chunkPlan(targets, deps.sessions)));
  }
  await send(buffer.rest());
  await deps.ledger.flush();
  const summary = tally.summary(command, planned, [], startedAt, run.now());
  const accounted = Object.values(summary.totals).reduce((n, count) => n + (count ?? 0), 0);
  if (accounted !== planned) throw new InvariantError(`${planned - accounted} of ${planned} targets have no outcome`);
  await announce(deps, runEvents(command, [], summary));
  return { summary };
}

/** What a worker did with one chunk: the outcomes it recorded, and how many targets it handed on at its deadline. */
export interface WorkResult {
  outcomes: TargetOutcome[];
  handedOn: number;
}

/**
 * A worker's share: executes one chunk taken from a work queue, records its outcomes, hands on what it could not
 * finish. Throws ClaimsInProgressError (after doing its own share) when another delivery of the same message is
 * still working on some targets: the message goes back to the queue and reports nothing for them.
 */
export async function runWorkMessage(message: WorkMessage, deps: RunDeps): Promise<WorkResult> {
  const run = clocked(deps);
  const account = deps.sessions.handle(message.account);
  const record = createRecorder(message.command, run);
  const scope = claimScope(message.command.commandId, message.handoff);
  let handedOn = 0;
  if (!account) {
    const at = run.now().toISOString();
    const reason = `account ${message.account} is not in this stage's accounts configuration`;
    await record(
      message.items.map(({ target }) => failedOutcome(target, { reason, errorClass: 'bad-request', attempts: 0 }, at)),
    );
  } else {
    const chunk: Chunk = { account, items: message.items, phase: message.phase };
    const result = await runChunk(message.command, chunk, run, scope, leaseOf(scope, run), record);
    handedOn = (await handOn(message.command, scope, result.handedBack, message.handoff + 1, run, record)).reduce(
      (n, c) => n + c.items.length,
      0,
    );
    if (result.inProgress.length) {
      await deps.ledger.flush();
      throw new ClaimsInProgressError(message.command.commandId, result.inProgress);
    }
  }
  await deps.ledger.flush();
  await announce(deps, targetFailedEvents(message.command, record.outcomes));
  return { outcomes: record.outcomes, handedOn };
}

/** What one delivery did with a chunk, besides the outcomes it recorded. */
interface ChunkRun {
  /** Left for the next hand-off: the deadline came, or another command kept the target busy. */
  handedBack: HandedBack[];
  /** Being worked on by another delivery of this command right now. */
  inProgress: TargetKey[];
  /** Finished by another delivery that handed them on: that hand-off records their outcomes. */
  withOthers: Chunk['items'];
}

/**
 * One chunk, for one delivery: claim each target (a live duplicate's are left alone), take each target's lease
 * (one writer per target), write the pause's holds ahead or re-read the resume's holds under the lease, act, then
 * settle the holds and record the outcomes — failures sent before they are recorded.
 */
async function runChunk(
  command: Command,
  chunk: Chunk,
  deps: Clocked,
  scope: string,
  lease: Lease,
  record: Recorder,
): Promise<ChunkRun> {
  const claimed = await claimItems(deps.ledger, scope, chunk.items, lease);
  const withOthers = await reportFinished(command, claimed.done, deps.ledger, record);
  const handedBack: HandedBack[] = [];
  // A resume never has a hold phase; a message saying so is treated as what it can only mean.
  const phase: ChunkPhase = command.action === 'resume' && chunk.phase === 'hold' ? 'act' : (chunk.phase ?? 'act');
  const byKey = new Map(claimed.mine.map((item) => [targetKey(item.target), item]));
  const waitUntil = Math.min(deps.stopBy ?? Number.POSITIVE_INFINITY, deps.now().getTime() + LEASE_WAIT_MS);

  const busy = await withLeases([...byKey.keys()], lease, waitUntil, deps, async (leased) => {
    let items = [...leased.keys()].flatMap((key) => byKey.get(key) ?? []);
    const released: TargetKey[] = [];
    // Read under the lease: the hand-off may have recorded while this delivery waited for the target.
    const finished = await recordedSinceTakeover(deps.ledger, command.commandId, items, claimed.takenOver);
    if (finished.size > 0) {
      record.report([...finished.values()]);
      await inParallel([...finished.keys()], (key) => deps.ledger.finishClaim(scope, key));
      items = items.filter((i) => !finished.has(targetKey(i.target)));
      if (items.length === 0) return released;
    }
    if (command.action === 'pause' && phase === 'act' && command.options.allowIrreversible !== true) {
      // Checked again where the stop is made, whatever the message says the plan decided.
      const irreversible = items.filter((i) => i.task.resumeUnsupportedReason);
      if (irreversible.length) {
        // No hold was written for them; their leases go back with the rest (withLeases).
        const at = deps.now().toISOString();
        await record(
          irreversible.map((i) => settledOutcome(i.target, irreversiblePause(i.task.resumeUnsupportedReason ?? ''), at)),
          scope,
        );
        items = items.filter((i) => !i.task.resumeUnsupportedReason);
        if (items.length === 0) return released;
      }
    }
    if (command.action === 'pause' && phase !== 'confirm') {
      await placePendingHolds(
        command,
        items.map((i) => i.target),
        leased,
        deps.ledger,
        lease.holder,
        deps.now().toISOString(),
      );
    } else if (command.action === 'resume' && phase !== 'hold') {
      // Also on a confirm-only hand-off: between the two deliveries the lease was free, and a pause of another
      // source may have paused the task again — then there is nothing to confirm, and its hold decides.
      const checked = recheckResume(command, items, leased, deps.now());
      // Work no hold accounts for goes to a human first (unless a dead delivery may have resumed it and lifted the
      // hold before it could record the outcome: then the missing hold is its doing).
      const unheld = checked.unheld.filter((o) => !claimed.takenOver.has(targetKey(o.target)));
      await deps.failures.send(unheld.map((o) => suspiciousWork(command, o)));
      await deps.ledger.changeHolds(lease.holder, checked.changes, { releaseLease: true });
      await record(checked.settled, scope);
      released.push(...checked.changes.map((c) => c.key));
      items = checked.act;
    }
    if (items.length === 0) return released;
    const earlierOfOurs = new Set(
      items.filter((i) => (leased.get(targetKey(i.target)) ?? []).some(ourHoldIn(command, phase))).map((i) => i.task.taskId),
    );
    const result = await executeChunk(command, { account: chunk.account, items }, deps, phase, earlierOfOurs);
    const settled =
      command.action === 'pause'
        ? { changes: pauseHoldChanges(command, result.outcomes), outcomes: result.outcomes }
        : resumeHoldChanges(command, result.outcomes, leased, deps.now());
    await deps.ledger.changeHolds(lease.holder, settled.changes, { releaseLease: true });
    released.push(...settled.changes.map((c) => c.key));
    await record(settled.outcomes, scope);
    handedBack.push(...result.handedBack);
    return released;
  });
  for (const key of busy) {
    const item = byKey.get(key);
    if (item) handedBack.push({ item, phase, why: 'another command kept changing this task' });
  }
  return { handedBack, inProgress: claimed.inProgress.map((i) => targetKey(i.target)), withOthers };
}

/**
 * The holds, read under the lease, by which an earlier request of ours may explain finding a task paused (a refusal of
 * our pause, a task a `hold` phase finds paused): any hold of ours — this command's own unconfirmed one too, written
 * ahead by an earlier delivery. That delivery may have acted before it died (it took the hold back if it learned it
 * had not), or a resume may have left the task paused for the hold's sake. A dead delivery without such a hold never
 * called the provider. In the `confirm` phase the delivery that made the request has judged its own write-ahead
 * already: a refusal nothing else explains came marked so, and only other holds count.
 */
function ourHoldIn(command: Command, phase: ChunkPhase): (hold: PauseRecord) => boolean {
  if (phase !== 'confirm') return () => true;
  return (h) => !(h.commandId === command.commandId && holdStatus(h) === 'pending');
}

/**
 * Under the lease, a resume judges each target on the holds read there: a target an incident paused on top of ours
 * since the plan was made, or whose hold this source no longer has, is settled without a provider call.
 */
function recheckResume(
  command: Command,
  items: Chunk['items'],
  holds: ReadonlyMap<TargetKey, PauseRecord[]>,
  now: Date,
): { act: Chunk['items']; settled: TargetOutcome[]; unheld: TargetOutcome[]; changes: HoldChange[] } {
  const act: Chunk['items'] = [];
  const settled: TargetOutcome[] = [];
  const unheld: TargetOutcome[] = [];
  const changes: HoldChange[] = [];
  const at = now.toISOString();
  for (const item of items) {
    const key = targetKey(item.target);
    const check = checkResume(command, holds.get(key) ?? [], now);
    if (check.act) {
      act.push(item);
      continue;
    }
    const outcome = settledOutcome(item.target, { outcome: 'skipped', reason: check.reason }, at);
    settled.push(outcome);
    if (check.unheld) unheld.push(outcome);
    changes.push(check.releaseOwn ? { key, remove: [command.source] } : { key });
  }
  return { act, settled, unheld, changes };
}

/**
 * Targets an earlier delivery finished: their recorded outcomes are reported, not written or sent again. Those
 * with no outcome yet were handed on at that delivery's deadline; their hand-off records them.
 */
async function reportFinished(
  command: Command,
  items: Chunk['items'],
  ledger: Ledger,
  record: Recorder,
): Promise<Chunk['items']> {
  if (items.length === 0) return [];
  const recorded = new Map((await ledger.outcomesOf(command.commandId)).map((o) => [targetKey(o.target), o]));
  const handedOn: Chunk['items'] = [];
  const reported: TargetOutcome[] = [];
  for (const item of items) {
    const outcome = recorded.get(targetKey(item.target));
    if (outcome) reported.push(outcome);
    else handedOn.push(item);
  }
  record.report(reported);
  return handedOn;
}

function settledOutcomes(plan: Plan, deps: Clocked, replayed: ReadonlyMap<TargetKey, TargetOutcome>): TargetOutcome[] {
  const at = deps.now().toISOString();
  return plan.targets.flatMap(({ target, decision }) =>
    decision.kind !== 'settled' || replayed.has(targetKey(target)) ? [] : [settledOutcome(target, decision, at)],
  );
}

/**
 * The holds a resume's plan ends without a provider call (still held by others: its own; resumed by hand or
 * finished: all), each under its target's lease like every other change.
 */
async function releaseSettled(command: Command, plan: Plan, deps: Clocked, lease: Lease): Promise<void> {
  if (command.action !== 'resume') return;
  const releases = new Map<TargetKey, 'own' | 'all'>();
  for (const { target, decision } of plan.targets) {
    const release = releasesHold(decision);
    if (release !== 'none') releases.set(targetKey(target), release);
  }
  if (releases.size === 0) return;
  const waitUntil = Math.min(deps.stopBy ?? Number.POSITIVE_INFINITY, deps.now().getTime() + LEASE_WAIT_MS);
  await withLeases([...releases.keys()], lease, waitUntil, deps, async (leased) => {
    const changes = [...leased.keys()].map(
      (key): HoldChange => (releases.get(key) === 'all' ? { key, removeAll: true } : { key, remove: [command.source] }),
    );
    await deps.ledger.changeHolds(lease.holder, changes, { releaseLease: true });
    return leased.keys();
  });
}

/**
 * A redelivered command (same id) reports what its first delivery recorded, for every target that has an
 * outcome, and calls no provider for them. Replayed outcomes are not written or sent to the DLQ again.
 */
async function replayRecorded(command: Command, plan: Plan, ledger: Ledger): Promise<Map<TargetKey, TargetOutcome>> {
  return replayOf(plan, new Map((await ledger.outcomesOf(command.commandId)).map((o) => [targetKey(o.target), o])));
}

function replayOf(plan: Plan, recorded: ReadonlyMap<TargetKey, TargetOutcome>): Map<TargetKey, TargetOutcome> {
  const replayed = new Map<TargetKey, TargetOutcome>();
  for (const planned of plan.targets) {
    const key = targetKey(planned.target);
    const outcome = recorded.get(key);
    if (!outcome) continue;
    replayed.set(key, outcome);
    planned.decision = { kind: 'settled', outcome: 'skipped', reason: 'replayed' }; // never executed again
  }
  return replayed;
}
