import { describe, expect, it } from 'vitest';
import type { ActionOptions } from '../../../../lib/core/command';
import { ProviderError } from '../../../../lib/core/errors';
import { TokenBucket } from '../../../../lib/http/rate-limiter';
import type { HuaweiRequest, HuaweiResponse } from '../../../../lib/providers/huawei/client';
import { createDrsSession, DRS_CAPABILITIES, huaweiDrsAdapter } from '../../../../lib/providers/huawei-drs';
import type { ProviderTask } from '../../../../lib/providers/types';

const PROJECT = 'proj0001';
const OPTIONS: ActionOptions = { force: false };

type Handler = (req: HuaweiRequest) => unknown;

/** A fake HuaweiClient: answers through `handler` (which may throw a ProviderError) and records requests. */
function aFakeClient(handler: Handler) {
  const requests: HuaweiRequest[] = [];
  const client = {
    async request(req: HuaweiRequest): Promise<HuaweiResponse> {
      requests.push(req);
      return { status: 200, json: handler(req), attempts: 1 };
    },
  };
  return { client, requests };
}

function aSession(handler: Handler, batchLimit = 20) {
  const { client, requests } = aFakeClient(handler);
  return { session: createDrsSession({ accountName: 'drs-main', projectId: PROJECT, batchLimit, client }), requests };
}

function aJobTask(taskId: string, state = 'INCRE_TRANSFER_STARTED'): ProviderTask {
  return { provider: 'huawei-drs', account: 'drs-main', taskId, name: taskId, state, phase: 'running' };
}

function aJobId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function bodyOf(req: HuaweiRequest | undefined): Record<string, unknown> {
  return (req?.body ?? {}) as Record<string, unknown>;
}

function jobsOf(req: HuaweiRequest): Array<{ job_id: string }> {
  return bodyOf(req).jobs as Array<{ job_id: string }>;
}

function wholeRejection(): ProviderError {
  return new ProviderError('huawei-drs HTTP 400 DRS.10010001: invalid job', {
    errorClass: 'bad-request',
    provider: 'huawei-drs',
    status: 400,
    providerCode: 'DRS.10010001',
  });
}

describe('DRS session list', () => {
  it('lists every db_use_type, walking all pages', async () => {
    // Prepare: 150 migration jobs (two pages), one sync job, no disaster-recovery job.
    const migration = Array.from({ length: 150 }, (_, i) => ({
      id: aJobId(i),
      name: `mig-${i}`,
      status: 'INCRE_TRANSFER_STARTED',
    }));
    const { session, requests } = aSession((req) => {
      const body = bodyOf(req);
      const page = Number(body.cur_page);
      if (body.db_use_type === 'migration') {
        return { total_record: 150, jobs: migration.slice((page - 1) * 100, page * 100) };
      }
      if (body.db_use_type === 'sync')
        return { total_record: 1, jobs: [{ id: aJobId(999), name: 'sync-1', status: 'PAUSING', engine_type: 'mysql' }] };
      return { total_record: 0, jobs: [] };
    });

    // Act
    const tasks = await session.list();

    // Assess
    expect(tasks).toHaveLength(151);
    expect(requests.map((r) => [r.method, r.path, bodyOf(r).db_use_type, bodyOf(r).cur_page, bodyOf(r).per_page])).toEqual([
      ['POST', `/v3/${PROJECT}/jobs`, 'migration', 1, 100],
      ['POST', `/v3/${PROJECT}/jobs`, 'migration', 2, 100],
      ['POST', `/v3/${PROJECT}/jobs`, 'sync', 1, 100],
      ['POST', `/v3/${PROJECT}/jobs`, 'cloudDataGuard', 1, 100],
    ]);
    expect(tasks.find((t) => t.name === 'sync-1')).toEqual({
      provider: 'huawei-drs',
      account: 'drs-main',
      taskId: aJobId(999),
      name: 'sync-1',
      state: 'PAUSING',
      phase: 'paused',
      details: { dbUseType: 'sync', engineType: 'mysql' },
    });
  });

  it('turns an unexpected body into a provider-error', async () => {
    const { session } = aSession(() => ({ jobs: [{ name: 'no id' }] }));

    await expect(session.list()).rejects.toMatchObject({ errorClass: 'provider-error', provider: 'huawei-drs' });
  });
});

describe('DRS session get', () => {
  it('always asks batch-status for all results (per_page 0) and chunks by the batch limit', async () => {
    // Prepare
    const { session, requests } = aSession(
      (req) => ({ results: (bodyOf(req).jobs as string[]).map((id) => ({ id, status: 'INCRE_TRANSFER_STARTED' })) }),
      2,
    );

    // Act
    const found = await session.get([aJobId(1), aJobId(2), aJobId(3)]);

    // Assess
    expect(requests.map((r) => r.path)).toEqual([`/v3/${PROJECT}/jobs/batch-status`, `/v3/${PROJECT}/jobs/batch-status`]);
    expect(requests.map((r) => bodyOf(r))).toEqual([
      { jobs: [aJobId(1), aJobId(2)], page_req: { cur_page: 1, per_page: 0 } },
      { jobs: [aJobId(3)], page_req: { cur_page: 1, per_page: 0 } },
    ]);
    expect([...found.values()].map((t) => (t instanceof ProviderError ? t.errorClass : t.phase))).toEqual([
      'running',
      'running',
      'running',
    ]);
  });

  it('stops reading after an auth failure instead of sending every chunk', async () => {
    const { session, requests } = aSession(() => {
      throw new ProviderError('huawei-drs HTTP 401 APIG.0301', { errorClass: 'auth', provider: 'huawei-drs', status: 401 });
    }, 2);

    const found = await session.get([1, 2, 3, 4, 5].map(aJobId));

    expect(requests).toHaveLength(1);
    expect([...found.values()].map((f) => f instanceof ProviderError && f.errorClass)).toEqual(Array(5).fill('auth'));
  });

  it('maps unknown ids and per-job errors to not-found', async () => {
    const { session } = aSession(() => ({
      results: [
        { id: aJobId(1), status: 'PAUSING' },
        { id: aJobId(2), error_code: 'DRS.10000010', error_message: 'job does not exist' },
      ],
    }));

    const found = await session.get([aJobId(1), aJobId(2), aJobId(3)]);

    expect(found.get(aJobId(1))).toMatchObject({ state: 'PAUSING', phase: 'paused' });
    expect(found.get(aJobId(2))).toMatchObject({ errorClass: 'not-found', providerCode: 'DRS.10000010', taskId: aJobId(2) });
    expect(found.get(aJobId(3))).toMatchObject({ errorClass: 'not-found', taskId: aJobId(3) });
  });

  it('names jobs from the last list', async () => {
    const { session } = aSession((req) =>
      req.path.endsWith('/jobs')
        ? {
            total_record: 1,
            jobs:
              bodyOf(req).db_use_type === 'sync'
                ? [{ id: aJobId(1), name: 'orders-sync', status: 'INCRE_TRANSFER_STARTED' }]
                : [],
          }
        : { results: [{ id: aJobId(1), status: 'PAUSING' }] },
    );

    await session.list();
    const found = await session.get([aJobId(1)]);

    expect(found.get(aJobId(1))).toMatchObject({ name: 'orders-sync' });
  });

  it('isolates the id that makes batch-status refuse the whole request', async () => {
    const { session } = aSession((req) => {
      const ids = bodyOf(req).jobs as string[];
      if (ids.includes('not-a-uuid')) throw wholeRejection();
      return { results: ids.map((id) => ({ id, status: 'INCRE_TRANSFER_STARTED' })) };
    });

    const found = await session.get([aJobId(1), 'not-a-uuid', aJobId(2)]);

    expect(found.get('not-a-uuid')).toMatchObject({ errorClass: 'bad-request', taskId: 'not-a-uuid' });
    expect(found.get(aJobId(1))).toMatchObject({ phase: 'running' });
    expect(found.get(aJobId(2))).toMatchObject({ phase: 'running' });
  });
});

describe('DRS session pause and resume', () => {
  const success = (req: HuaweiRequest) => ({
    results: jobsOf(req).map((j) => ({ id: j.job_id, status: 'success' })),
    count: jobsOf(req).length,
  });

  it('pauses a batch in one call with the pause mode asked for', async () => {
    const { session, requests } = aSession(success);

    const results = await session.pause([aJobTask(aJobId(1)), aJobTask(aJobId(2))], {
      ...OPTIONS,
      'huawei-drs': { pauseMode: 'all' },
    });

    expect(results).toEqual([
      { taskId: aJobId(1), ok: true },
      { taskId: aJobId(2), ok: true },
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.path).toBe(`/v3/${PROJECT}/jobs/batch-pause-task`);
    expect(bodyOf(requests[0])).toEqual({
      jobs: [
        { job_id: aJobId(1), pause_mode: 'all' },
        { job_id: aJobId(2), pause_mode: 'all' },
      ],
    });
  });

  it('resumes with batch-retry-task', async () => {
    const { session, requests } = aSession(success);

    const results = await session.resume([aJobTask(aJobId(1), 'PAUSING')], OPTIONS);

    expect(results).toEqual([{ taskId: aJobId(1), ok: true }]);
    expect(requests[0]?.path).toBe(`/v3/${PROJECT}/jobs/batch-retry-task`);
    expect(bodyOf(requests[0])).toEqual({ jobs: [{ job_id: aJobId(1) }] });
  });

  it('reports per-job failures inside a 200 as those jobs’ results', async () => {
    // Prepare
    const { session } = aSession(() => ({
      results: [
        { id: aJobId(1), status: 'success' },
        { id: aJobId(2), status: 'failed', error_code: 'DRS.10000010', error_msg: 'job does not exist' },
        { id: aJobId(3), status: 'failed', error_code: 'DRS.10030004', error_msg: 'job status does not allow pausing' },
      ],
      count: 3,
    }));

    // Act
    const results = await session.pause(
      [1, 2, 3, 4].map((n) => aJobTask(aJobId(n))),
      OPTIONS,
    );

    // Assess
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error.errorClass} ${r.error.providerCode ?? ''}`.trim()))).toEqual([
      'ok',
      'not-found DRS.10000010',
      'invalid-state DRS.10030004',
      'provider-error',
    ]);
    const failed = results[2];
    expect(failed?.ok === false && failed.error.message).toContain('job status does not allow pausing');
  });

  it('bisects a batch refused whole, isolating the bad job', async () => {
    // Prepare
    const bad = aJobId(6);
    const { session, requests } = aSession((req) => {
      if (jobsOf(req).some((j) => j.job_id === bad)) throw wholeRejection();
      return success(req);
    });

    // Act
    const results = await session.pause(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => aJobTask(aJobId(n))),
      OPTIONS,
    );

    // Assess
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    expect(results.find((r) => !r.ok)).toMatchObject({ taskId: bad, error: { errorClass: 'bad-request', taskId: bad } });
    expect(requests).toHaveLength(7);
  });

  it('fails the whole batch on auth without splitting', async () => {
    const { session, requests } = aSession(() => {
      throw new ProviderError('huawei-drs HTTP 401 APIG.0301', { errorClass: 'auth', provider: 'huawei-drs', status: 401 });
    });

    const results = await session.pause(
      [1, 2, 3].map((n) => aJobTask(aJobId(n))),
      OPTIONS,
    );

    expect(results.map((r) => !r.ok && r.error.errorClass)).toEqual(['auth', 'auth', 'auth']);
    expect(requests).toHaveLength(1);
  });

  it('sends nothing for no tasks', async () => {
    const { session, requests } = aSession(success);

    expect(await session.pause([], OPTIONS)).toEqual([]);
    expect(requests).toHaveLength(0);
  });
});

describe('huaweiDrsAdapter', () => {
  it('declares its capabilities', () => {
    expect(huaweiDrsAdapter.key).toBe('huawei-drs');
    expect(DRS_CAPABILITIES).toEqual({
      batchLimit: 20,
      confirm: { intervalMs: 3_000, deadlineMs: 180_000 },
      rateLimit: { perSecond: 5, burst: 5 },
      describe: 'DRS: batch pause (pause_mode target|all), resume with batch retry',
    });
  });

  it('refuses a secret without sk, naming the field', () => {
    expect(() =>
      huaweiDrsAdapter.open({
        account: { name: 'drs-main', provider: 'huawei-drs', region: 'ap-southeast-1', projectId: PROJECT, secret: 'env:MP_DRS' },
        secret: { ak: 'FAKEACCESSKEY0001' },
        http: { timeoutMs: 1_000, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, limiter: new TokenBucket(1, 1) },
      }),
    ).toThrow('secret env:MP_DRS has no field sk');
  });
});
