import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../lib/config';
import type { ActionOptions } from '../../../lib/core/command';
import { ProviderError } from '../../../lib/core/errors';
import { TokenBucket } from '../../../lib/http/rate-limiter';
import { huaweiDrsAdapter } from '../../../lib/providers/huawei-drs';
import type { ProviderSession, ProviderTask, SessionContext } from '../../../lib/providers/types';
import { generateScenario, type Scenario, type SimTask, type Simulator, startSimulator } from '../../../sim';
import { describeAdapterContract } from '../../helpers/adapter-contract';

describeAdapterContract('huawei-drs', {
  adapter: huaweiDrsAdapter,
  scenario: () => ({ ...generateScenario({ seed: 11, tasksPerProvider: 30, providers: ['huawei-drs'] }), transitionMs: 30 }),
});

const ACCOUNT = 'drs-main';
const OPTIONS: ActionOptions = { force: false };

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

function aJobId(n: number): string {
  return `0f0f0f0f-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function aJob(n: number, overrides: Partial<SimTask> = {}): SimTask {
  return {
    provider: 'huawei-drs',
    account: ACCOUNT,
    id: aJobId(n),
    name: `job-${n}`,
    state: 'INCRE_TRANSFER_STARTED',
    dbUseType: 'migration',
    ...overrides,
  };
}

function aScenario(tasks: SimTask[]): Scenario {
  return {
    accounts: [
      {
        name: ACCOUNT,
        provider: 'huawei-drs',
        region: 'ap-southeast-1',
        accessKey: 'FAKEACCESSKEY0001',
        secretKey: 'FAKESECRETKEY0001',
        projectId: 'proj0001',
      },
    ],
    tasks,
    transitionMs: 20,
  };
}

/** Starts the simulator and opens a DRS session on its account, the way the pipeline would. */
async function aSession(
  tasks: SimTask[],
  tamper: (secret: Record<string, unknown>) => Record<string, unknown> = (secret) => secret,
): Promise<{ sim: Simulator; session: ProviderSession; waits: number[] }> {
  const sim = await startSimulator({ scenario: aScenario(tasks) });
  open.push(sim);
  const [account] = parseAccounts(sim.accountsFile()).accounts;
  if (!account) throw new Error('the simulator produced no account');
  const env = sim.secretEnv();
  const secret = JSON.parse(env[(account.secret ?? '').replace(/^env:/, '')] ?? '{}') as Record<string, unknown>;
  // Waits (backoff, a throttle's hold) pass on a virtual clock, recorded instead of slept.
  const waits: number[] = [];
  let clock = 0;
  const sleep = async (ms: number) => {
    waits.push(ms);
    clock += ms;
  };
  const context: SessionContext = {
    account,
    secret: tamper(secret),
    http: {
      timeoutMs: 2_000,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      limiter: new TokenBucket(1_000, 1_000, () => clock, sleep),
      sleep,
    },
  };
  return { sim, session: huaweiDrsAdapter.open(context), waits };
}

function drsRequests(sim: Simulator, pathEnd: string) {
  return sim.requests.filter((r) => r.provider === 'huawei-drs' && r.path.split('?')[0]?.endsWith(pathEnd));
}

function tasksFor(ids: number[]): ProviderTask[] {
  return ids.map((n) => ({
    provider: 'huawei-drs',
    account: ACCOUNT,
    taskId: aJobId(n),
    name: `job-${n}`,
    state: 'INCRE_TRANSFER_STARTED',
    phase: 'running',
  }));
}

describe('huawei-drs against the simulator', () => {
  it('lists jobs of every db_use_type, across pages', async () => {
    // Prepare: 120 migration jobs (two pages), 2 sync jobs, 1 disaster-recovery job.
    const jobs = [
      ...Array.from({ length: 120 }, (_, i) => aJob(i + 1)),
      aJob(201, { dbUseType: 'sync', state: 'PAUSING' }),
      aJob(202, { dbUseType: 'sync' }),
      aJob(301, { dbUseType: 'cloudDataGuard', state: 'RELEASE_RESOURCE_COMPLETE' }),
    ];
    const { sim, session } = await aSession(jobs);

    // Act
    const tasks = await session.list();

    // Assess
    expect(tasks).toHaveLength(123);
    expect(new Set(tasks.map((t) => t.taskId))).toEqual(new Set(jobs.map((j) => j.id)));
    expect(tasks.find((t) => t.taskId === aJobId(201))).toMatchObject({ state: 'PAUSING', phase: 'paused', name: 'job-201' });
    expect(tasks.find((t) => t.taskId === aJobId(301))).toMatchObject({ phase: 'finished' });
    const listed = drsRequests(sim, '/jobs').map((r) => JSON.parse(r.body) as { db_use_type: string; cur_page: number });
    expect(new Set(listed.map((b) => b.db_use_type))).toEqual(new Set(['migration', 'sync', 'cloudDataGuard']));
    expect(listed.filter((b) => b.db_use_type === 'migration').map((b) => b.cur_page)).toEqual([1, 2]);
  });

  it('reads statuses in one batch-status call that asks for all results (per_page 0)', async () => {
    // Prepare
    const { sim, session } = await aSession(Array.from({ length: 8 }, (_, i) => aJob(i + 1)));

    // Act
    const found = await session.get([...Array.from({ length: 8 }, (_, i) => aJobId(i + 1)), aJobId(999)]);

    // Assess
    const calls = drsRequests(sim, '/jobs/batch-status');
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]?.body ?? '{}')).toMatchObject({ page_req: { cur_page: 1, per_page: 0 } });
    expect(found.get(aJobId(1))).toMatchObject({ state: 'INCRE_TRANSFER_STARTED', phase: 'running' });
    expect(found.get(aJobId(8))).toMatchObject({ phase: 'running' });
    const missing = found.get(aJobId(999));
    expect(missing).toBeInstanceOf(ProviderError);
    expect(missing).toMatchObject({ errorClass: 'not-found', taskId: aJobId(999) });
  });

  it('pauses a batch with pause_mode all when asked, and the jobs reach PAUSING', async () => {
    // Prepare
    const { sim, session } = await aSession([aJob(1), aJob(2), aJob(3)]);

    // Act
    const results = await session.pause(tasksFor([1, 2, 3]), { ...OPTIONS, 'huawei-drs': { pauseMode: 'all' } });

    // Assess
    expect(results).toEqual(tasksFor([1, 2, 3]).map((t) => ({ taskId: t.taskId, ok: true })));
    const calls = drsRequests(sim, '/jobs/batch-pause-task');
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]?.body ?? '{}')).toEqual({
      jobs: [1, 2, 3].map((n) => ({ job_id: aJobId(n), pause_mode: 'all' })),
    });
    await expect
      .poll(async () => (await session.get([aJobId(1)])).get(aJobId(1)), { timeout: 2_000 })
      .toMatchObject({ phase: 'paused' });
  });

  it('resumes paused jobs with batch-retry-task', async () => {
    const { sim, session } = await aSession([aJob(1, { state: 'PAUSING' }), aJob(2, { state: 'PAUSING' })]);

    const results = await session.resume(tasksFor([1, 2]), OPTIONS);

    expect(results.every((r) => r.ok)).toBe(true);
    expect(JSON.parse(drsRequests(sim, '/jobs/batch-retry-task')[0]?.body ?? '{}')).toEqual({
      jobs: [{ job_id: aJobId(1) }, { job_id: aJobId(2) }],
    });
    await expect
      .poll(async () => (await session.get([aJobId(2)])).get(aJobId(2)), { timeout: 2_000 })
      .toMatchObject({ phase: 'running' });
  });

  it('reports a per-job failure inside a 200 for that job only', async () => {
    // Prepare
    const { sim, session } = await aSession([
      aJob(1),
      aJob(2, { failsAction: { code: 'DRS.10030004', message: 'job status does not allow this operation' } }),
      aJob(3),
    ]);

    // Act
    const results = await session.pause(tasksFor([1, 2, 3]), OPTIONS);

    // Assess
    expect(drsRequests(sim, '/jobs/batch-pause-task')).toHaveLength(1);
    expect(results.filter((r) => r.ok).map((r) => r.taskId)).toEqual([aJobId(1), aJobId(3)]);
    expect(results.find((r) => !r.ok)).toMatchObject({
      taskId: aJobId(2),
      ok: false,
      error: { errorClass: 'invalid-state', providerCode: 'DRS.10030004', taskId: aJobId(2) },
    });
  });

  it('bisects a batch of 8 rejected whole, isolating the one bad job in 7 calls', async () => {
    // Prepare
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    const { sim, session } = await aSession(ids.map((n) => aJob(n, n === 6 ? { rejectsBatch: true } : {})));

    // Act
    const results = await session.pause(tasksFor(ids), OPTIONS);

    // Assess
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    expect(results.find((r) => !r.ok)).toMatchObject({ taskId: aJobId(6), error: { status: 400, taskId: aJobId(6) } });
    const calls = drsRequests(sim, '/jobs/batch-pause-task');
    // 1–8 ✗, 1–4 ✓, 5–8 ✗, 5–6 ✗, 5 ✓, 6 ✗, 7–8 ✓
    expect(calls.map((r) => (JSON.parse(r.body) as { jobs: unknown[] }).jobs.length)).toEqual([8, 4, 4, 2, 1, 1, 2]);
  });

  it('isolates a job that makes batch-status refuse the whole request', async () => {
    const { session } = await aSession([aJob(1), aJob(2, { rejectsBatch: true }), aJob(3)]);

    const found = await session.get([aJobId(1), aJobId(2), aJobId(3)]);

    expect(found.get(aJobId(1))).toMatchObject({ phase: 'running' });
    expect(found.get(aJobId(2))).toMatchObject({ errorClass: 'bad-request', status: 400, taskId: aJobId(2) });
    expect(found.get(aJobId(3))).toMatchObject({ phase: 'running' });
  });

  it('rides out a gateway throttle by retrying the same batch', async () => {
    // Prepare
    const { sim, session, waits } = await aSession([aJob(1), aJob(2)]);
    sim.inject({ provider: 'huawei-drs', pathIncludes: 'batch-pause-task', kind: 'http', status: 429, times: 1 });

    // Act
    const results = await session.pause(tasksFor([1, 2]), OPTIONS);

    // Assess
    expect(results.every((r) => r.ok)).toBe(true);
    expect(drsRequests(sim, '/jobs/batch-pause-task').map((r) => r.status)).toEqual([429, 200]);
    // No Retry-After from the gateway: hold the account for the documented 2 s before trying again.
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(2_000);
  });

  it('fails with auth after exactly one request when the secret key is wrong', async () => {
    // Prepare
    const { sim, session } = await aSession([aJob(1)], (secret) => ({ ...secret, sk: 'WRONGFAKESECRETKEY' }));

    // Act
    const error = await session.list().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ errorClass: 'auth', status: 401, attempts: 1 });
    expect((error as ProviderError).message).not.toContain('WRONGFAKESECRETKEY');
    expect(sim.requests.filter((r) => r.provider === 'huawei-drs')).toHaveLength(1);
  });
});
