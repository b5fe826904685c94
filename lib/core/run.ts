import { defaultSleep } from '../http/rate-limiter';
import type { ProviderKey } from '../providers/types';
import type { Command } from './command';
import { releasesHold } from './decide';
import { type Chunk, chunkConcurrency, chunkPlan, runChunks } from './dispatch';
import { type ChunkResult, executeChunk, type HandedBack, type HandoffPhase } from './execute';
import { accountFailure, type FailureSink, targetFailure } from './failures';
import type { Ledger } from './ledger';
import { assertOneOutcomePerTarget, summarize } from './outcome';
import { planPause, planResume } from './plan';
import type { AccountSessions } from './sessions';
import { type Plan, type RunResult, type TargetKey, type TargetOutcome, targetKey } from './types';
import { toWorkMessage, type WorkMessage, type WorkQueue } from './work';

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
}

/** A target handed back this many times fails as retryable instead of going round again (a stuck provider). */
export const MAX_HANDOFFS = 5;

type Clocked = RunDeps & { now: () => Date; sleep: (ms: number) => Promise<void> };

/** Plans a command, then (unless it is a dry run) dispatches and executes it in this process. */
export async function runCommand(command: Command, deps: RunDeps): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const plan =
    command.action === 'pause'
      ? await planPause(command, deps.sessions)
      : await planResume(command, deps.sessions, deps.ledger, startedAt);
  if (command.dryRun) return { plan, outcomes: [], summary: summarize(command, plan, undefined, startedAt, now()) };

  const clocked: Clocked = { ...deps, now, sleep: deps.sleep ?? defaultSleep };
  const replayed = await replayRecorded(command, plan, deps.ledger);
  const heldByUs = new Set((await deps.ledger.pausedByUs()).map((h) => h.key));
  const record = recorder(command, clocked, heldByUs);
  await record(settledOutcomes(plan, clocked, replayed));
  await releaseSettled(command, plan, deps.ledger);

  const chunks = chunkPlan(plan.targets, deps.sessions);
  const acting = chunks.reduce((n, c) => n + c.items.length, 0);
  let dispatched: Chunk[] = [];
  if (deps.workQueue && acting > (deps.inProcessLimit ?? 200)) {
    dispatched = chunks;
    await sendToWorkQueues(command, chunks, deps.workQueue);
  } else {
    const handedBack: HandedBack[] = [];
    const withOthers: Chunk[] = [];
    await runChunks(chunks, deps.chunksPerAccount ?? chunkConcurrency, async (chunk) => {
      const result = await executeClaimed(command, chunk, clocked, claimScope(command.commandId, 0), 'act');
      handedBack.push(...result.handedBack);
      if (result.withOthers.length) withOthers.push({ account: chunk.account, items: result.withOthers });
      await record(result.outcomes);
      record.report(result.reported);
      await deps.ledger.flush();
    });
    dispatched = [...(await handOn(command, claimScope(command.commandId, 0), handedBack, 1, clocked, record)), ...withOthers];
  }
  const outcomes = [...record.outcomes, ...replayed.values()];
  assertOneOutcomePerTarget(
    plan,
    outcomes,
    dispatched.flatMap((c) => c.items.map((i) => i.target)),
  );
  const finishedAt = now();
  await deps.failures.send(plan.accountFailures.map((f) => accountFailure(command, f, finishedAt.toISOString())));
  await deps.ledger.flush();
  return { plan, outcomes, summary: summarize(command, plan, outcomes, startedAt, finishedAt, dispatched) };
}

/** What a worker did with one chunk: the outcomes it recorded, and how many targets it handed on at its deadline. */
export interface WorkResult {
  outcomes: TargetOutcome[];
  handedOn: number;
}

/** A worker's share: executes one chunk taken from a work queue, records its outcomes, hands on what it could not finish. */
export async function runWorkMessage(message: WorkMessage, deps: RunDeps): Promise<WorkResult> {
  let handedOn: Chunk['items'] = [];
  const account = deps.sessions.handle(message.account);
  const clocked: Clocked = { ...deps, now: deps.now ?? (() => new Date()), sleep: deps.sleep ?? defaultSleep };
  const record = recorder(message.command, clocked, new Set((await deps.ledger.pausedByUs()).map((h) => h.key)));
  if (!account) {
    const at = clocked.now().toISOString();
    await record(
      message.items.map(({ target }) => ({
        target,
        outcome: 'failed' as const,
        reason: `account ${message.account} is not in this stage's accounts configuration`,
        errorClass: 'bad-request' as const,
        attempts: 0,
        startedAt: at,
        finishedAt: at,
      })),
    );
  } else {
    const chunk = { account, items: message.items };
    const result = await executeClaimed(
      message.command,
      chunk,
      clocked,
      claimScope(message.command.commandId, message.handoff),
      message.phase,
    );
    await record(result.outcomes);
    record.report(result.reported);
    handedOn = (
      await handOn(
        message.command,
        claimScope(message.command.commandId, message.handoff),
        result.handedBack,
        message.handoff + 1,
        clocked,
        record,
      )
    ).flatMap((c) => c.items);
  }
  await deps.ledger.flush();
  return { outcomes: record.outcomes, handedOn: handedOn.length };
}

/**
 * Where a delivery's claims live: the command's own for its first attempt, one scope per hand-off after that, so
 * a handed-back target can be claimed again by the next attempt (and only once by it).
 */
function claimScope(commandId: string, handoff: number): string {
  return handoff === 0 ? commandId : `${commandId}#handoff-${handoff}`;
}

/**
 * Where the delivery holding claims in `scope` marks the targets it handed back at its deadline (the marks are
 * claims, so they are idempotent): a duplicate of that delivery looks here, not at other hand-offs.
 */
function handedBackScope(scope: string): string {
  return `${scope}#handed-back`;
}

/**
 * Sends what a deadline cut short to the work queues as hand-off `handoff`, grouped by account and phase at the
 * provider's batch limit. Without a work queue, or past MAX_HANDOFFS, the targets fail as retryable (the DLQ keeps
 * them for a redrive) rather than vanish. Returns the chunks handed on.
 */
async function handOn(
  command: Command,
  scope: string,
  handedBack: readonly HandedBack[],
  handoff: number,
  deps: Clocked,
  record: (outcomes: TargetOutcome[]) => Promise<void>,
): Promise<Chunk[]> {
  if (handedBack.length === 0) return [];
  // Marked first, so a duplicate delivery waiting for these targets' outcomes knows they went on, not astray.
  for (const { item } of handedBack) await deps.ledger.claim(handedBackScope(scope), targetKey(item.target));
  if (!deps.workQueue || handoff > MAX_HANDOFFS) {
    const at = deps.now().toISOString();
    const why = deps.workQueue ? `handed back ${MAX_HANDOFFS} times at a deadline` : 'stopped at the deadline';
    await record(
      handedBack.map(({ item, phase }) => ({
        target: item.target,
        outcome: 'failed' as const,
        reason: `${why} ${phase === 'confirm' ? 'after the provider accepted the action, before it was confirmed' : 'before any provider call'}; redrive it`,
        errorClass: 'retryable' as const,
        attempts: phase === 'confirm' ? 1 : 0,
        startedAt: at,
        finishedAt: at,
      })),
    );
    return [];
  }
  const groups = new Map<string, { phase: HandoffPhase; chunk: Chunk }>();
  for (const { item, phase } of handedBack) {
    const account = deps.sessions.handle(item.target.account);
    if (!account) continue; // handed back by executeChunk, so the account exists
    const id = `${item.target.account}|${phase}`;
    const group = groups.get(id) ?? { phase, chunk: { account, items: [] } };
    group.chunk.items.push(item);
    groups.set(id, group);
  }
  const byPhase: Record<HandoffPhase, Chunk[]> = { act: [], confirm: [] };
  for (const { phase, chunk } of groups.values()) {
    const size = chunk.account.capabilities.batchLimit;
    for (let i = 0; i < chunk.items.length; i += size) {
      byPhase[phase].push({ account: chunk.account, items: chunk.items.slice(i, i + size) });
    }
  }
  const queue = deps.workQueue;
  await sendToWorkQueues(command, byPhase.act, queue, 'act', handoff);
  await sendToWorkQueues(command, byPhase.confirm, queue, 'confirm', handoff);
  return [...byPhase.act, ...byPhase.confirm];
}

/** One work message per chunk, sent to its provider's queue (in batches per provider). */
async function sendToWorkQueues(
  command: Command,
  chunks: readonly Chunk[],
  queue: WorkQueue,
  phase: HandoffPhase = 'act',
  handoff = 0,
): Promise<void> {
  const byProvider = new Map<ProviderKey, WorkMessage[]>();
  for (const chunk of chunks) {
    const list = byProvider.get(chunk.account.config.provider) ?? [];
    list.push(toWorkMessage(command, chunk, phase, handoff));
    byProvider.set(chunk.account.config.provider, list);
  }
  await Promise.all([...byProvider].map(([provider, messages]) => queue.send(provider, messages)));
}

/** Writes each batch of outcomes to the ledger, the DLQ (failures) and the progress callback; keeps them all. */
function recorder(command: Command, deps: Clocked, heldByUs: ReadonlySet<TargetKey>) {
  const outcomes: TargetOutcome[] = [];
  const record = async (batch: TargetOutcome[]) => {
    for (const outcome of batch) {
      await applyToLedger(command, outcome, deps.ledger, heldByUs);
      await deps.ledger.recordOutcome(command.commandId, outcome);
      deps.onOutcome?.(outcome);
    }
    await deps.failures.send(batch.filter((o) => o.outcome === 'failed').map((o) => targetFailure(command, o)));
    outcomes.push(...batch);
  };
  /** Outcomes another delivery already recorded: reported to the caller, never written or sent again. */
  const report = (batch: readonly TargetOutcome[]) => {
    for (const outcome of batch) deps.onOutcome?.(outcome);
    outcomes.push(...batch);
  };
  return Object.assign(record, { outcomes, report });
}

function settledOutcomes(plan: Plan, deps: Clocked, replayed: ReadonlyMap<TargetKey, TargetOutcome>): TargetOutcome[] {
  const at = deps.now().toISOString();
  const settled: TargetOutcome[] = [];
  for (const { target, decision } of plan.targets) {
    if (decision.kind !== 'settled' || replayed.has(targetKey(target))) continue;
    settled.push({
      target,
      outcome: decision.outcome,
      reason: decision.reason,
      errorClass: decision.errorClass,
      providerCode: decision.providerCode,
      attempts: 0,
      startedAt: at,
      finishedAt: at,
    });
  }
  return settled;
}

async function releaseSettled(command: Command, plan: Plan, ledger: Ledger): Promise<void> {
  if (command.action !== 'resume') return;
  for (const { target, decision } of plan.targets) {
    const release = releasesHold(decision);
    if (release === 'all') await ledger.release(targetKey(target));
    else if (release === 'own') await ledger.release(targetKey(target), command.source);
  }
}

/**
 * A redelivered command (same id) reports what its first delivery recorded, for every target that has an
 * outcome, and calls no provider for them. Replayed outcomes are not written or sent to the DLQ again.
 */
async function replayRecorded(command: Command, plan: Plan, ledger: Ledger): Promise<Map<TargetKey, TargetOutcome>> {
  const recorded = new Map((await ledger.outcomesOf(command.commandId)).map((o) => [targetKey(o.target), o]));
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

/** What one delivery did with a chunk: its own outcomes, what it handed back, and what other deliveries recorded. */
interface ClaimedResult extends ChunkResult {
  reported: TargetOutcome[];
  /** Claimed by another delivery that handed them on at its deadline: that hand-off records their outcomes. */
  withOthers: Chunk['items'];
}

/** How long a duplicate delivery waits for the delivery that claimed a target to record its outcome. */
const DUPLICATE_WAIT_MS = 30_000;
const DUPLICATE_POLL_MS = 1_000;

/**
 * Executes only the targets this delivery of the command claims first. For a target claimed by another delivery
 * it reports that delivery's outcome, waiting for it (up to DUPLICATE_WAIT_MS) while it is still running; a target
 * whose claimer never records an outcome (it died mid-way) fails as retryable, so it reaches the DLQ, not limbo.
 */
async function executeClaimed(
  command: Command,
  chunk: Chunk,
  deps: Clocked,
  scope: string,
  phase: HandoffPhase,
): Promise<ClaimedResult> {
  const claimed: Chunk['items'] = [];
  const elsewhere: Chunk['items'] = [];
  for (const item of chunk.items) {
    if (await deps.ledger.claim(scope, targetKey(item.target))) claimed.push(item);
    else elsewhere.push(item);
  }
  const [executed, others] = await Promise.all([
    claimed.length
      ? executeChunk(command, { account: chunk.account, items: claimed }, deps, phase)
      : { outcomes: [], handedBack: [] },
    outcomesOfOthers(command, scope, elsewhere, deps),
  ]);
  const at = deps.now().toISOString();
  const orphaned = elsewhere
    .filter((item) => !others.reported.has(targetKey(item.target)) && !others.handedOn.has(targetKey(item.target)))
    .map(({ target }) => ({
      target,
      outcome: 'failed' as const,
      reason: `claimed by another delivery of this command that recorded no outcome within ${DUPLICATE_WAIT_MS / 1000} s; redrive it to try again`,
      errorClass: 'retryable' as const,
      attempts: 0,
      startedAt: at,
      finishedAt: at,
    }));
  return {
    outcomes: [...executed.outcomes, ...orphaned],
    handedBack: executed.handedBack,
    reported: [...others.reported.values()],
    withOthers: elsewhere.filter((item) => others.handedOn.has(targetKey(item.target))),
  };
}

/**
 * What became of targets another delivery claimed: the outcome it recorded, or the mark that it handed them on at
 * its deadline. Polled until every target is one or the other, the wait ends, or stopBy.
 */
async function outcomesOfOthers(
  command: Command,
  scope: string,
  items: Chunk['items'],
  deps: Clocked,
): Promise<{ reported: Map<TargetKey, TargetOutcome>; handedOn: Set<TargetKey> }> {
  const reported = new Map<TargetKey, TargetOutcome>();
  const handedOn = new Set<TargetKey>();
  if (items.length === 0) return { reported, handedOn };
  const pending = new Set(items.map((i) => targetKey(i.target)));
  const giveUpAt = Math.min(deps.now().getTime() + DUPLICATE_WAIT_MS, deps.stopBy ?? Number.POSITIVE_INFINITY);
  for (;;) {
    for (const outcome of await deps.ledger.outcomesOf(command.commandId)) {
      const key = targetKey(outcome.target);
      if (!pending.delete(key)) continue;
      reported.set(key, outcome);
    }
    for (const key of [...pending]) {
      if (!(await deps.ledger.isClaimed(handedBackScope(scope), key))) continue;
      pending.delete(key);
      handedOn.add(key);
    }
    if (pending.size === 0 || deps.now().getTime() >= giveUpAt) return { reported, handedOn };
    await deps.sleep(Math.min(DUPLICATE_POLL_MS, Math.max(0, giveUpAt - deps.now().getTime())));
  }
}

/**
 * Pausing places this command's source's hold on a target — also on one already paused under an earlier hold of
 * ours (an incident pause on top of the window's), never on one someone else paused. Resuming ends the holds.
 */
async function applyToLedger(
  command: Command,
  outcome: TargetOutcome,
  ledger: Ledger,
  heldByUs: ReadonlySet<TargetKey>,
): Promise<void> {
  const key = targetKey(outcome.target);
  const placesHold = outcome.outcome === 'paused' || (outcome.outcome === 'already-paused' && heldByUs.has(key));
  if (command.action === 'pause' && placesHold) {
    await ledger.recordPause({
      key,
      target: outcome.target,
      source: command.source,
      commandId: command.commandId,
      reason: command.reason,
      requestedBy: command.requestedBy,
      pausedAt: outcome.finishedAt,
      ...(command.until ? { until: command.until } : {}),
    });
  } else if (outcome.outcome === 'resumed') {
    await ledger.release(key);
  }
}
