import { describe, expect, it } from 'vitest';
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
  const stopBy = Date.now() + 3_600_000;
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

  it('a duplicate delivery of a hand-off does not pause twice, and reports the outcome the first one recorded', async () => {
    const fleet = await startFleet(ncpFleet(2));
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause' }, { workQueue, stopBy: Date.now() - 1 });
    const messages = workQueue.drain();
    const deps = { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures, workQueue };

    const results = await Promise.all([...messages, ...messages].map((m) => runWorkMessage(m, deps)));

    expect(actionRequests(fleet.sim)).toHaveLength(2);
    // Each delivery reports the one outcome; only the one that acted recorded it, and nothing reached the DLQ.
    expect(results.flatMap((r) => r.outcomes).map((o) => o.outcome)).toEqual(['paused', 'paused', 'paused', 'paused']);
    expect(fleet.failures.messages).toEqual([]);
  });
});

describe('a delivery that finds its targets claimed by another', () => {
  it('fails a target whose claimer never records an outcome as retryable, after waiting for it', async () => {
    const fleet = await startFleet(ncpFleet(2));
    const planned = await fleet.run({ action: 'pause', dryRun: true, commandId: '11111111-1111-4111-8111-111111111111' });
    const first = planned.plan.targets[0]?.target;
    if (!first) throw new Error('expected a planned target');
    // Another delivery claimed it, then its Lambda died before recording anything.
    await fleet.ledger.claim('11111111-1111-4111-8111-111111111111', targetKey(first));
    let now = Date.now();
    const clock = {
      now: () => new Date(now),
      sleep: async (ms: number) => {
        now += ms;
      },
    };

    const result = await fleet.run({ action: 'pause', commandId: '11111111-1111-4111-8111-111111111111' }, clock);

    const orphan = result.outcomes.find((o) => o.target.taskId === first.taskId);
    expect(orphan).toMatchObject({ outcome: 'failed', errorClass: 'retryable' });
    expect(orphan?.reason).toMatch(/recorded no outcome within 30 s/);
    expect(result.summary.totals).toEqual({ paused: 1, failed: 1 });
    expect(fleet.failures.messages).toHaveLength(1);
    expect(actionRequests(fleet.sim)).toHaveLength(1);
  });
});
