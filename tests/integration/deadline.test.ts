import { describe, expect, it } from 'vitest';
import { ClaimsInProgressError } from '../../lib/core/errors';
import { MAX_HANDOFFS, runWorkMessage } from '../../lib/core/run';
import type { TargetOutcome } from '../../lib/core/types';
import { targetKey } from '../../lib/core/types';
import type { WorkMessage } from '../../lib/core/work';
import { defaultSleep } from '../../lib/http/rate-limiter';
import { MemoryWorkQueue } from '../../lib/local/work-queue-memory';
import type { Scenario, SimTask } from '../../sim';
import { actionRequests, startFleet } from '../helpers/fleet';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

function ncpFleet(count: number): Scenario {
  const tasks: SimTask[] = Array.from({ length: count }, (_, i) => ncpPolicy(`policy-${i}`, 'STARTED'));
  return { accounts: [NCP_MAIN], tasks };
}

/**
 * A clock that jumps past the deadline once the simulator has seen `afterActions` pause calls: the run is cut
 * while chunks are waiting for their read-back (their pause accepted) and others have not started.
 */
function deadlineAfter(actions: () => number, afterActions: number) {
  let cut = false;
  // Before the fleet's 3 s confirmation deadline: a clock that jumps past both must still say the deadline came first,
  // as real time would.
  const stopBy = Date.now() + 2_500;
  return {
    stopBy,
    now: () => new Date(cut ? stopBy + 1 : Date.now()),
    sleep: async (ms: number) => {
      if (actions() >= afterActions) cut = true;
      await defaultSleep(ms);
    },
  };
}

async function drain(queue: MemoryWorkQueue, run: (m: WorkMessage) => Promise<{ outcomes: TargetOutcome[] }>) {
  const outcomes: TargetOutcome[] = [];
  for (let messages = queue.drain(); messages.length; messages = queue.drain()) {
    for (const message of messages) outcomes.push(...(await run(message)).outcomes);
  }
  return outcomes;
}

describe('a deadline in the middle of a run', () => {
  it('hands unfinished targets back to the work queue, and the next worker finishes them with one pause call each', async () => {
    const fleet = await startFleet(ncpFleet(24));
    const workQueue = new MemoryWorkQueue();
    const clock = deadlineAfter(() => actionRequests(fleet.sim).length, 4);

    const first = await fleet.run({ action: 'pause' }, { workQueue, chunksPerAccount: 4, ...clock });

    const handedBack = workQueue.sent.map((s) => s.message);
    expect(handedBack.map((m) => m.phase).sort()).toContain('confirm');
    expect(handedBack.map((m) => m.phase)).toContain('act');
    expect(handedBack.every((m) => m.handoff === 1)).toBe(true);
    expect(first.summary.totals.dispatched).toBe(24 - first.outcomes.length);
    expect(fleet.failures.messages).toEqual([]);

    const later = await drain(workQueue, (m) =>
      runWorkMessage(m, { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures, workQueue }),
    );

    const all = [...first.outcomes, ...later];
    expect(all).toHaveLength(24);
    expect(new Set(all.map((o) => targetKey(o.target))).size).toBe(24);
    expect(all.every((o) => o.outcome === 'paused')).toBe(true);
    const pauses = actionRequests(fleet.sim).map((r) => r.path);
    expect(pauses).toHaveLength(24);
    expect(new Set(pauses).size).toBe(24);
    expect((await fleet.ledger.pausedByUs()).length).toBe(24);
  });

  it('without a work queue, fails what it could not start as retryable — in the DLQ, not lost', async () => {
    const fleet = await startFleet(ncpFleet(3));

    const result = await fleet.run({ action: 'pause' }, { stopBy: Date.now() - 1 });

    expect(result.summary.totals).toEqual({ failed: 3 });
    expect(
      result.outcomes.every((o) => o.errorClass === 'retryable' && /deadline before any provider call/.test(o.reason ?? '')),
    ).toBe(true);
    expect(actionRequests(fleet.sim)).toEqual([]);
    expect(fleet.failures.messages).toHaveLength(3);
  });

  it(`stops handing a chunk on after ${MAX_HANDOFFS} hand-offs and sends it to the DLQ`, async () => {
    const fleet = await startFleet(ncpFleet(2));
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause' }, { workQueue, stopBy: Date.now() - 1 });
    const messages = workQueue.drain();
    const deps = {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue,
      stopBy: Date.now() - 1,
    };

    const results = await Promise.all(messages.map((m) => runWorkMessage({ ...m, handoff: MAX_HANDOFFS }, deps)));

    expect(results.map((r) => r.handedOn)).toEqual([0, 0]);
    expect(results.flatMap((r) => r.outcomes.map((o) => o.outcome))).toEqual(['failed', 'failed']);
    expect(results[0]?.outcomes[0]?.reason).toMatch(/handed back 5 times/);
    expect(workQueue.sent).toEqual([]);
    expect(fleet.failures.messages).toHaveLength(2);
  });

  it('a duplicate delivery of a hand-off does not pause twice: while the first works it goes back to the queue, after it reports what the first recorded', async () => {
    const fleet = await startFleet(ncpFleet(2));
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause' }, { workQueue, stopBy: Date.now() - 1 });
    const messages = workQueue.drain();
    const deps = { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures, workQueue };

    const results = await Promise.allSettled([...messages, ...messages].map((m) => runWorkMessage(m, deps)));
    const later = await Promise.all(messages.map((m) => runWorkMessage(m, deps)));

    expect(actionRequests(fleet.sim)).toHaveLength(2);
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.outcomes : []));
    const bounced = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    // The duplicate reported nothing and went back to the queue; nothing reached the DLQ.
    expect(done.map((o) => o.outcome)).toEqual(['paused', 'paused']);
    expect(bounced.length).toBeGreaterThan(0);
    for (const error of bounced) expect(error).toBeInstanceOf(ClaimsInProgressError);
    expect(later.flatMap((r) => r.outcomes).map((o) => o.outcome)).toEqual(['paused', 'paused']);
    expect(fleet.failures.messages).toEqual([]);
  });
});

describe('a delivery that finds its targets claimed by another', () => {
  const commandId = '11111111-1111-4111-8111-111111111111';

  it('takes over a target whose claimer died (its lease ran out) and finishes it, with no false failure', async () => {
    const fleet = await startFleet(ncpFleet(2));
    const planned = await fleet.run({ action: 'pause', dryRun: true, commandId });
    const first = planned.plan.targets[0]?.target;
    if (!first) throw new Error('expected a planned target');
    // Another delivery claimed it, then its Lambda died before recording anything; its lease has run out.
    await fleet.ledger.claim(commandId, targetKey(first), { holder: 'dead', expiresAt: Date.now() - 1 });

    const result = await fleet.run({ action: 'pause', commandId });

    expect(result.summary.totals).toEqual({ paused: 2 });
    expect(fleet.failures.messages).toEqual([]);
    expect(actionRequests(fleet.sim)).toHaveLength(2);
  });

  it('leaves a target a live delivery holds alone: no outcome, no DLQ message, the command goes back to its queue', async () => {
    const fleet = await startFleet(ncpFleet(2));
    const planned = await fleet.run({ action: 'pause', dryRun: true, commandId });
    const first = planned.plan.targets[0]?.target;
    if (!first) throw new Error('expected a planned target');
    await fleet.ledger.claim(commandId, targetKey(first), { holder: 'alive', expiresAt: Date.now() + 600_000 });

    await expect(fleet.run({ action: 'pause', commandId })).rejects.toBeInstanceOf(ClaimsInProgressError);

    expect(fleet.failures.messages).toEqual([]);
    expect((await fleet.ledger.outcomesOf(commandId)).map((o) => o.target.taskId)).not.toContain(first.taskId);
    expect(actionRequests(fleet.sim)).toHaveLength(1);
  });
});
