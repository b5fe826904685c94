import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../lib/core/ledger';
import { runWorkMessage } from '../../lib/core/run';
import { targetKey } from '../../lib/core/types';
import type { WorkMessage } from '../../lib/core/work';
import { MemoryLedger } from '../../lib/local/ledger-memory';
import { MemoryWorkQueue } from '../../lib/local/work-queue-memory';
import { actionRequests, startFleet } from '../helpers/fleet';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

/** The one NCP job of these tests, and the work message a pause by `source` left on the work queue, not worked yet. */
async function queuedPause(source: string, options: { transitionMs?: number; ledger?: Ledger } = {}) {
  const { transitionMs, ledger } = options;
  const scenario = { accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] };
  const fleet = await startFleet(transitionMs === undefined ? scenario : { ...scenario, transitionMs }, ledger ? { ledger } : {});
  const workQueue = new MemoryWorkQueue();
  await fleet.run({ action: 'pause', source }, { workQueue, inProcessLimit: 0 });
  const [message] = workQueue.drain();
  if (!message) throw new Error('nothing was dispatched');
  /** One worker delivery on fresh sessions, as a new Lambda invocation would have. */
  const work = (m: WorkMessage, on: Ledger = fleet.ledger) =>
    runWorkMessage(m, { sessions: fleet.sessions(), ledger: on, failures: fleet.failures, workQueue });
  return { fleet, workQueue, message, work };
}

/**
 * Found by the soak: a pause the provider applied whose answer was lost (or whose worker died before recording it)
 * is sent again — by the HTTP client's retry, or by the delivery that takes the claim over. The provider refuses
 * the second one because the task is already paused; NCP says so with a plain 400 (code 100, bad-request). That
 * refusal must be read back like an invalid-state one: the task is paused by us, so its hold stays.
 */
describe('a pause whose response was lost after the provider applied it', () => {
  it('ends paused under a held hold, not failed with its hold removed', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')], transitionMs: 0 });
    fleet.sim.inject({ kind: 'drop-after-apply', method: 'POST', pathIncludes: '/pause', times: 1 });

    const result = await fleet.run({ action: 'pause', source: 'window:business-hours' });

    expect(fleet.sim.applied).toHaveLength(1);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['paused']);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ source: 'window:business-hours', status: 'held' }]);
    expect(fleet.failures.messages).toEqual([]);
  });

  it('is never sent again while the provider is still carrying it out: the task is read back until it is paused', async () => {
    // A slow provider: the job stays STARTED for a while after it accepted the pause, and would accept a second one.
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')], transitionMs: 300 });
    fleet.sim.inject({ kind: 'drop-after-apply', method: 'POST', pathIncludes: '/pause', times: 1 });

    const result = await fleet.run({ action: 'pause', source: 'window:business-hours' });

    expect(fleet.sim.applied).toHaveLength(1);
    expect(fleet.sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['paused']);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ status: 'held' }]);
  });

  it('fails the target for a redrive and drops its hold when the task is read back running to the end', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] });
    // The request went out and the connection dropped; the provider had not acted on it.
    fleet.sim.inject({ kind: 'reset', method: 'POST', pathIncludes: '/pause', times: 1 });

    const result = await fleet.run({ action: 'pause', source: 'INC-7' });

    expect(fleet.sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(result.outcomes).toMatchObject([{ outcome: 'failed', errorClass: 'retryable' }]);
    expect(result.outcomes[0]?.reason).toMatch(/may have carried it out.*not seen paused/);
    // Still running after the whole confirmation deadline: the pause did not take effect, and its hold is gone —
    // so a person who pauses the task by hand later is not mistaken for us.
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    expect(fleet.failures.messages).toHaveLength(1);
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');
    const resume = await fleet.run({ action: 'resume', source: 'INC-7' });
    expect(resume.summary.targets).toBe(0);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
  });

  it('keeps the hold unconfirmed when the task cannot be read back at all', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] });
    fleet.sim.inject({ kind: 'reset', method: 'POST', pathIncludes: '/pause', times: 1 });
    fleet.sim.inject({ kind: 'http', status: 503, method: 'GET', pathIncludes: '/photos' });

    const result = await fleet.run({ action: 'pause', source: 'INC-8' });

    expect(result.outcomes).toMatchObject([{ outcome: 'failed', errorClass: 'retryable' }]);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ source: 'INC-8', status: 'pending' }]);
  });

  it('is handed on to be confirmed, not failed, when no read-back answers before the deadline after an accepted pause', async () => {
    const { fleet, workQueue, message, work } = await queuedPause('INC-9');
    // The pause is accepted (and carried out); then every read of the task fails until the confirmation deadline.
    fleet.sim.inject({ kind: 'http', status: 503, method: 'GET', pathIncludes: '/photos' });

    const first = await work(message);

    expect(first.outcomes).toEqual([]);
    expect(fleet.failures.messages).toEqual([]);
    const [handedOn] = workQueue.drain();
    expect(handedOn).toMatchObject({ phase: 'confirm', handoff: 1 });
    if (!handedOn) throw new Error('nothing was handed on');
    // The provider answers again: the next delivery reads the task paused, without asking for a second pause.
    fleet.sim.clearFaults();
    const second = await work(handedOn);
    expect(second.outcomes.map((o) => o.outcome)).toEqual(['paused']);
    expect(actionRequests(fleet.sim)).toHaveLength(1);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ source: 'INC-9', status: 'held' }]);
  });
});

describe('a first pause refused because someone else paused the task since it was planned', () => {
  it('says already-paused and takes no hold: the task is not ours to resume', async () => {
    const { fleet, message, work } = await queuedPause('INC-10', { transitionMs: 300 });
    // Before the work is picked up, someone pauses the job by hand.
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');

    // Our first and only pause request is refused; read back, the job is paused: not by us.
    const { outcomes } = await work(message);

    expect(outcomes).toMatchObject([{ outcome: 'already-paused', reason: expect.stringMatching(/someone else/) }]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    expect(fleet.failures.messages).toEqual([]);
    // Whoever paused it resumes it: the incident's resume leaves it alone.
    const resume = await fleet.run({ action: 'resume', source: 'INC-10' });
    expect(resume.summary.targets).toBe(0);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
  });
});

/** A view of `ledger` whose claims can never be finished: the process died right after it sent a hand-off. */
function diesBeforeFinishingClaims(ledger: Ledger): Ledger {
  return new Proxy(ledger, {
    get(target, property) {
      if (property === 'finishClaim') return () => Promise.reject(new Error('killed after the hand-off was sent'));
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a pause retried after an answer that carried nothing out, then refused because the task is paused', () => {
  async function pauseAfterHandPause(firstAnswer: 429 | 503) {
    const { fleet, message, work } = await queuedPause('INC-13');
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');
    fleet.sim.inject({ kind: 'http', status: firstAnswer, method: 'POST', pathIncludes: '/pause', times: 1 });
    const { outcomes } = await work(message);
    return { fleet, outcomes };
  }

  it('after a throttle (never carried out), the task was paused by someone else: no hold', async () => {
    const { fleet, outcomes } = await pauseAfterHandPause(429);

    expect(actionRequests(fleet.sim).map((r) => r.status)).toEqual([429, 400]);
    expect(outcomes).toMatchObject([{ outcome: 'already-paused', reason: expect.stringMatching(/someone else/) }]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('after a server error (which may have been carried out), the pause may be ours: the hold stays', async () => {
    const { fleet, outcomes } = await pauseAfterHandPause(503);

    expect(actionRequests(fleet.sim).map((r) => r.status)).toEqual([503, 400]);
    expect(outcomes).toMatchObject([{ outcome: 'paused' }]);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ source: 'INC-13', status: 'held' }]);
  });
});

describe('a first pause refused because someone else paused the task, when the refusal cannot be read back at once', () => {
  it('is handed on, and the worker that reads it back paused takes no hold: not ours', async () => {
    const { fleet, workQueue, message, work } = await queuedPause('INC-14');
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');
    // The refusal comes, and the read-back of it fails: the worker cannot tell yet whether the task is there.
    fleet.sim.inject({ kind: 'http', status: 503, method: 'GET', pathIncludes: '/photos' });
    const first = await work(message);
    expect(first.outcomes).toEqual([]);
    const [handedOn] = workQueue.drain();
    expect(handedOn).toMatchObject({ phase: 'confirm' });
    fleet.sim.clearFaults();

    const second = await work(handedOn as WorkMessage);

    expect(second.outcomes).toMatchObject([{ outcome: 'already-paused', reason: expect.stringMatching(/someone else/) }]);
    expect(actionRequests(fleet.sim)).toHaveLength(1);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    expect(fleet.failures.messages).toEqual([]);
  });
});

describe('a pause adding its hold to a task already paused under one of ours', () => {
  it('takes no hold when that hold was lifted and someone paused the task by hand before the worker came', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] });
    await fleet.run({ action: 'pause', source: 'window:business-hours' });
    const workQueue = new MemoryWorkQueue();
    // The incident's pause finds the task paused under the window's hold: it plans to add its own.
    await fleet.run({ action: 'pause', source: 'INC-12' }, { workQueue, inProcessLimit: 0 });
    const [message] = workQueue.drain();
    expect(message?.phase).toBe('hold');
    // Before its worker runs, the window resumes the task and lets go; then a DBA pauses it by hand.
    await fleet.run({ action: 'resume', source: 'window:business-hours' });
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');

    const { outcomes } = await runWorkMessage(message as WorkMessage, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue,
    });

    expect(outcomes).toMatchObject([{ outcome: 'already-paused', reason: expect.stringMatching(/someone else/) }]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    const resume = await fleet.run({ action: 'resume', source: 'INC-12' });
    expect(resume.summary.targets).toBe(0);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
  });
});

describe('an unconfirmed hold of a pause, written ahead by a delivery that then stopped', () => {
  it('keeps the task ours when a resume left it paused for that hold', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] });
    await fleet.run({ action: 'pause', source: 'window:business-hours' });
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause', source: 'INC-15' }, { workQueue, inProcessLimit: 0 });
    const [message] = workQueue.drain();
    if (!message) throw new Error('nothing was dispatched');
    // Its first delivery wrote its hold ahead and handed the work back (another command held the task).
    const [item] = message.items;
    if (!item) throw new Error('no target');
    await fleet.ledger.recordPause({
      key: targetKey(item.target),
      target: item.target,
      source: 'INC-15',
      commandId: message.command.commandId,
      reason: 'incident',
      requestedBy: 'tests',
      pausedAt: new Date().toISOString(),
      status: 'pending',
    });
    // The window's resume finds the incident's hold: it lets go of its own and leaves the task paused.
    const resume = await fleet.run({ action: 'resume', source: 'window:business-hours' });
    expect(resume.outcomes).toMatchObject([{ outcome: 'skipped', reason: expect.stringMatching(/INC-15/) }]);

    const { outcomes } = await runWorkMessage(message, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue,
    });

    expect(outcomes).toMatchObject([{ outcome: 'already-paused' }]);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ source: 'INC-15', status: 'held' }]);
    await fleet.run({ action: 'resume', source: 'INC-15' });
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
  });

  it('is the only sign that a dead delivery may have acted: without one, a refusal on a paused task is not ours', async () => {
    const { fleet, message, work } = await queuedPause('INC-16');
    const target = message.items[0]?.target;
    if (!target) throw new Error('no target');
    // A delivery claimed it, found it paused by someone else, took its own hold back, and died before recording that.
    await fleet.ledger.claim(message.command.commandId, targetKey(target), { holder: 'dead', expiresAt: Date.now() - 1 });
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');

    const { outcomes } = await work(message);

    expect(outcomes).toMatchObject([{ outcome: 'already-paused', reason: expect.stringMatching(/someone else/) }]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });
});

describe('a delivery that died after handing a target on, before finishing its claim', () => {
  it('is redelivered and reports what the hand-off recorded, without pausing again after the target failed', async () => {
    // The ledger's clock can jump past the dead delivery's lease, as the queue's visibility timeout would.
    let skewMs = 0;
    const ledger = new MemoryLedger(undefined, { now: () => new Date(Date.now() + skewMs) });
    const { fleet, workQueue, message: dispatched, work } = await queuedPause('INC-11', { ledger });
    // A hand-off itself: an earlier delivery's deadline came before it called the provider. (Its claims live in the
    // hand-off's own scope, where the command's recorded outcomes do not finish them.)
    const message: WorkMessage = { ...dispatched, handoff: 1 };
    // The pause goes out and its connection drops before the provider acted; no read-back answers after it.
    fleet.sim.inject({ kind: 'reset', method: 'POST', pathIncludes: '/pause', times: 1 });
    fleet.sim.inject({ kind: 'http', status: 503, method: 'GET', pathIncludes: '/photos' });

    await expect(work(message, diesBeforeFinishingClaims(ledger))).rejects.toThrow(/killed/);
    const [handedOn] = workQueue.drain();
    expect(handedOn).toMatchObject({ phase: 'confirm', handoff: 2 });
    fleet.sim.clearFaults();
    // The hand-off reads the policy running to its deadline: the pause failed, for a redrive.
    const confirmed = await work(handedOn as WorkMessage);
    expect(confirmed.outcomes).toMatchObject([{ outcome: 'failed', errorClass: 'retryable' }]);
    // Sent with no answer and read back running for the whole deadline: the pause never took effect, and its hold
    // goes (left pending, a later pause by hand would be taken for ours).
    expect(confirmed.outcomes[0]?.reason).toMatch(/no answer.*not seen paused/);
    expect(await ledger.pausedByUs()).toEqual([]);
    // Then the dead delivery's message comes back, after its lease ran out.
    skewMs = 20 * 60_000;

    const redelivered = await work(message);

    expect(redelivered.outcomes).toEqual(confirmed.outcomes);
    expect(actionRequests(fleet.sim)).toHaveLength(1);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
    expect(fleet.failures.messages).toHaveLength(1);
    expect(await ledger.outcomesOf(message.command.commandId)).toMatchObject([{ outcome: 'failed' }]);
  });
});
