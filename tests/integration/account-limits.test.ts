import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../lib/config';
import { MAX_HANDOFFS, runWorkMessage } from '../../lib/core/run';
import { AccountSessions } from '../../lib/core/sessions';
import { createLocalSecretSource } from '../../lib/local/secrets';
import { MemoryWorkQueue } from '../../lib/local/work-queue-memory';
import { adapters } from '../../lib/providers/registry';
import { actionRequests, startFleet } from '../helpers/fleet';
import { DRS_MAIN, drsJob, drsJobId, NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

const JOBS = 60;

describe('an account whose credentials the provider keeps refusing', () => {
  it('stops calling it after the first refusal a refetch does not cure: its targets fail as auth, other accounts go on', async () => {
    // Huawei locks an AK for five minutes after five bad signatures: every refused request counts toward that lock.
    const fleet = await startFleet({
      accounts: [DRS_MAIN, NCP_MAIN],
      tasks: [
        ...Array.from({ length: JOBS }, (_, i) => drsJob(i + 1, `db-${i + 1}`, 'INCRE_TRANSFER_STARTED')),
        ncpPolicy('photos', 'STARTED'),
      ],
      // The pauses are accepted; every read-back of DRS is refused as a bad signature.
      faults: [{ kind: 'http', status: 401, provider: 'huawei-drs', pathIncludes: 'batch-status' }],
    });

    const run = await fleet.run({ action: 'pause', source: 'INC-1', reason: 'INC-1' });

    const refused = fleet.sim.requests.filter((r) => r.provider === 'huawei-drs' && r.status === 401);
    // One refusal per chunk in flight when the first came back, at most: not one per read-back until the deadline.
    const chunks = Math.ceil(JOBS / 10);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(chunks);
    expect(run.summary.byProvider['huawei-drs']).toEqual({ failed: JOBS });
    const drs = run.outcomes.filter((o) => o.target.provider === 'huawei-drs');
    expect(new Set(drs.map((o) => o.errorClass))).toEqual(new Set(['auth']));
    expect(drs[0]?.reason).toMatch(/refused its credentials, and fetching the secret again did not help/);
    // The other account is not affected.
    expect(run.summary.byProvider['ncp-object-migration']).toEqual({ paused: 1 });
    // The pauses the provider accepted stay on record as unconfirmed holds: nothing paused is left without one.
    expect((await fleet.ledger.pausedByUs()).filter((h) => h.target.provider === 'huawei-drs')).toHaveLength(JOBS);
    expect(actionRequests(fleet.sim).length).toBeGreaterThan(0);
  });
});

describe('one batch size per account', () => {
  it('is decided by the core and followed by the adapter, reads included: a batchSize above the limit does not raise it', async () => {
    const fleet = await startFleet({
      accounts: [DRS_MAIN],
      tasks: Array.from({ length: 45 }, (_, i) => drsJob(i + 1, `db-${i + 1}`, 'INCRE_TRANSFER_STARTED')),
    });
    const file = fleet.sim.accountsFile({
      confirm: { intervalMs: 20, deadlineMs: 3_000 },
      rateLimit: { perSecond: 500, burst: 100 },
    });
    const accounts = parseAccounts({ accounts: file.accounts.map((a) => ({ ...a, batchSize: 50 })) }).accounts;
    const sessions = new AccountSessions(accounts, adapters, createLocalSecretSource({ env: fleet.env }));
    expect(sessions.handle(DRS_MAIN.name)?.capabilities.batchLimit).toBe(20);

    const pause = await fleet.run({ action: 'pause', source: 'INC-2', reason: 'INC-2' }, { sessions });
    // The resume's plan reads all 45 held jobs back at once: the adapter splits that read as the core would.
    const resume = await fleet.run({ action: 'resume', source: 'INC-2', reason: 'over' }, { sessions });

    expect(pause.summary.totals).toEqual({ paused: 45 });
    expect(resume.summary.totals).toEqual({ resumed: 45 });
    // Every DRS call that names jobs (batch pause, batch retry and batch-status reads) names at most 20.
    const sizes = fleet.sim.requests
      .filter((r) => r.provider === 'huawei-drs' && r.method === 'POST' && r.body)
      .map((r) => (JSON.parse(String(r.body)) as { jobs?: unknown[] }).jobs?.length ?? 0);
    expect(Math.max(...sizes)).toBe(20);
  });
});

describe('a provider that asks to wait past the run’s time', () => {
  it('gets the work handed on to the next delivery, not failed', async () => {
    const fleet = await startFleet({
      accounts: [NCP_MAIN],
      tasks: [ncpPolicy('photos', 'STARTED')],
      // The pause is throttled with the gateway's usual wait (2 s, no Retry-After); the worker has half a second left.
      faults: [{ kind: 'http', status: 429, provider: 'ncp-object-migration', pathIncludes: '/pause', times: 1 }],
    });
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause', source: 'INC-3', reason: 'INC-3' }, { workQueue, inProcessLimit: 0 });
    const [message] = workQueue.drain();
    if (!message) throw new Error('nothing was dispatched');

    const first = await runWorkMessage(message, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue,
      stopBy: Date.now() + 500,
    });

    expect(first).toEqual({ outcomes: [], handedOn: 1 });
    expect(fleet.failures.messages).toEqual([]);
    const [next] = workQueue.drain();
    if (!next) throw new Error('nothing was handed on');
    const second = await runWorkMessage(next, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue,
    });
    expect(second.outcomes.map((o) => o.outcome)).toEqual(['paused']);
  });
});

describe('a pause the provider answered without carrying it out', () => {
  it('leaves no unconfirmed hold behind, so a pause by hand later is never taken for ours', async () => {
    const fleet = await startFleet({
      accounts: [NCP_MAIN, DRS_MAIN],
      tasks: [ncpPolicy('photos', 'STARTED'), drsJob(1, 'orders-db', 'INCRE_TRANSFER_STARTED')],
      faults: [
        // Throttled on every attempt: the gateway said no each time.
        { kind: 'http', status: 429, provider: 'ncp-object-migration', pathIncludes: '/pause' },
        // A server error on the batch pause: it might have been carried out, so the job is read back (unmoved).
        { kind: 'http', status: 503, provider: 'huawei-drs', pathIncludes: 'batch-pause-task' },
      ],
    });

    const pause = await fleet.run({ action: 'pause', source: 'INC-4', reason: 'INC-4' });

    expect(pause.summary.totals).toEqual({ failed: 2 });
    expect(pause.outcomes.map((o) => o.notApplied)).toEqual([true, true]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    // Someone pauses both by hand; the incident's resume must leave them alone.
    fleet.sim.setTaskState('ncp-object-migration', 'photos', 'PAUSED');
    fleet.sim.setTaskState('huawei-drs', drsJobId(1), 'PAUSING');
    const starts = actionRequests(fleet.sim).length;
    const resume = await fleet.run({ action: 'resume', source: 'INC-4', reason: 'over' });
    expect(resume.summary.targets).toBe(0);
    expect(actionRequests(fleet.sim).length).toBe(starts);
  });
});

describe('a pause handed on until it gives up, never having called the provider', () => {
  it('fails for a redrive and takes back the unconfirmed hold it wrote ahead', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] });
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause', source: 'INC-5', reason: 'INC-5' }, { workQueue, inProcessLimit: 0 });
    const [message] = workQueue.drain();
    if (!message) throw new Error('nothing was dispatched');

    // The last hand-off allowed, and no time left at all: the worker writes its hold ahead, then has to give up.
    const { outcomes } = await runWorkMessage(
      { ...message, handoff: MAX_HANDOFFS },
      { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures, workQueue, stopBy: Date.now() - 1 },
    );

    expect(outcomes).toMatchObject([
      { outcome: 'failed', notApplied: true, reason: expect.stringMatching(/before any provider call/) },
    ]);
    expect(actionRequests(fleet.sim)).toEqual([]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    expect(fleet.failures.messages.map((m) => m.kind)).toEqual(['target-failed']);
  });

  it('keeps the confirmed hold of the same source that an earlier pause placed: that pause stays on record', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] });
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause', source: 'INC-5', reason: 'INC-5' }, { workQueue, inProcessLimit: 0 });
    const [message] = workQueue.drain();
    if (!message) throw new Error('nothing was dispatched');
    // Before that work is picked up, the same incident pauses again, in-process: the task is paused and held.
    const again = await fleet.run({ action: 'pause', source: 'INC-5', reason: 'INC-5, again' });
    expect(again.summary.totals).toEqual({ paused: 1 });

    // The first command's worker then gives up before calling the provider.
    await runWorkMessage(
      { ...message, handoff: MAX_HANDOFFS },
      { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures, workQueue, stopBy: Date.now() - 1 },
    );

    expect(await fleet.ledger.pausedByUs()).toMatchObject([
      { source: 'INC-5', status: 'held', commandId: again.summary.commandId },
    ]);
    const resume = await fleet.run({ action: 'resume', source: 'INC-5', reason: 'over' });
    expect(resume.summary.totals).toEqual({ resumed: 1 });
  });
});
