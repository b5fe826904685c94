import { describe, expect, it } from 'vitest';
import { accounts, simWith, UUID } from './fixtures';
import { call, sleep } from './sign';

const drs = (n: number, state: string, extra: object = {}) => ({
  provider: 'huawei-drs' as const,
  account: 'drs-main',
  id: UUID(n),
  name: `db-${n}`,
  state,
  ...extra,
});
const base = '/v3/fakeprojectdrs01/jobs';

describe('simulated Huawei DRS', () => {
  it('pauses pausable jobs, fails the others per job, and retry returns to the state before the pause', async () => {
    const sim = await simWith([drs(1, 'INCRE_TRANSFER_STARTED'), drs(2, 'CONFIGURATION')]);

    const paused = await call(sim, accounts.drs, 'POST', `${base}/batch-pause-task`, {
      jobs: [UUID(1), UUID(2), UUID(9)].map((job_id) => ({ job_id, pause_mode: 'target' })),
    });
    await sleep(60);
    const afterPause = sim.task('huawei-drs', UUID(1))?.state;
    const retried = await call(sim, accounts.drs, 'POST', `${base}/batch-retry-task`, { jobs: [{ job_id: UUID(1) }] });
    await sleep(60);

    expect(paused).toMatchObject({
      status: 200,
      json: {
        count: 3,
        results: [
          { id: UUID(1), status: 'success' },
          { id: UUID(2), status: 'failed', error_code: expect.any(String), error_msg: expect.any(String) },
          { id: UUID(9), status: 'failed', error_code: 'DRS.10000010' },
        ],
      },
    });
    expect(afterPause).toBe('PAUSING');
    expect(retried.json).toMatchObject({ results: [{ id: UUID(1), status: 'success' }] });
    expect(sim.task('huawei-drs', UUID(1))?.state).toBe('INCRE_TRANSFER_STARTED');
  });

  it('refuses the whole request for an empty job object or a job_id that is not a UUID', async () => {
    const sim = await simWith([drs(1, 'INCRE_TRANSFER_STARTED')]);

    const empty = await call(sim, accounts.drs, 'POST', `${base}/batch-pause-task`, { jobs: [{}] });
    const notUuid = await call(sim, accounts.drs, 'POST', `${base}/batch-pause-task`, {
      jobs: [{ job_id: '8d0e8e36-a618-490d-8a46-8c61ac9jb502', pause_mode: 'all' }],
    });

    expect(empty).toMatchObject({
      status: 400,
      json: { error_code: expect.stringMatching(/^DRS\./), error_msg: expect.any(String) },
    });
    expect(notUuid.status).toBe(400);
    expect(sim.task('huawei-drs', UUID(1))?.state).toBe('INCRE_TRANSFER_STARTED');
  });

  it('rejects a whole batch that contains a rejectsBatch job, and serves it alone per job', async () => {
    const sim = await simWith([drs(1, 'INCRE_TRANSFER_STARTED'), drs(2, 'INCRE_TRANSFER_STARTED', { rejectsBatch: true })]);

    const whole = await call(sim, accounts.drs, 'POST', `${base}/batch-pause-task`, {
      jobs: [UUID(1), UUID(2)].map((job_id) => ({ job_id, pause_mode: 'target' })),
    });
    const alone = await call(sim, accounts.drs, 'POST', `${base}/batch-pause-task`, {
      jobs: [{ job_id: UUID(1), pause_mode: 'target' }],
    });

    expect(whole.status).toBe(400);
    expect(alone.json).toMatchObject({ results: [{ status: 'success' }] });
  });

  it('gives batch-status five results when per_page is absent, all with 0, and error_message for unknown ids', async () => {
    const sim = await simWith(Array.from({ length: 7 }, (_, i) => drs(i + 1, 'FULL_TRANSFER_STARTED')));
    const ids = [...Array.from({ length: 7 }, (_, i) => UUID(i + 1)), UUID(99)];

    const defaulted = await call(sim, accounts.drs, 'POST', `${base}/batch-status`, { jobs: ids });
    const all = await call(sim, accounts.drs, 'POST', `${base}/batch-status`, {
      jobs: ids,
      page_req: { cur_page: 1, per_page: 0 },
    });

    expect(defaulted.json).toMatchObject({ count: 8 });
    expect((defaulted.json as { results: unknown[] }).results).toHaveLength(5);
    expect((all.json as { results: unknown[] }).results).toHaveLength(8);
    expect(all.json).toMatchObject({
      results: expect.arrayContaining([{ id: UUID(99), error_code: 'DRS.10000010', error_message: expect.any(String) }]),
    });
  });

  it('lists per db_use_type with cur_page/per_page and refuses per_page over 100', async () => {
    const sim = await simWith([drs(1, 'INCRE_TRANSFER_STARTED'), drs(2, 'PAUSING', { dbUseType: 'sync' }), drs(3, 'PAUSING')]);

    const migration = await call(sim, accounts.drs, 'POST', base, { cur_page: 2, per_page: 1, db_use_type: 'migration' });
    const sync = await call(sim, accounts.drs, 'POST', base, { cur_page: 1, per_page: 10, db_use_type: 'sync' });
    const tooBig = await call(sim, accounts.drs, 'POST', base, { cur_page: 1, per_page: 101, db_use_type: 'sync' });

    expect(migration.json).toMatchObject({ total_record: 2, jobs: [{ id: UUID(3), status: 'PAUSING' }] });
    expect(sync.json).toMatchObject({ total_record: 1, jobs: [{ id: UUID(2) }] });
    expect(tooBig.status).toBe(400);
  });

  it('fails one job with its failsAction code inside an otherwise successful batch', async () => {
    const sim = await simWith([
      drs(1, 'INCRE_TRANSFER_STARTED'),
      drs(2, 'INCRE_TRANSFER_STARTED', { failsAction: { code: 'DRS.10000011', message: 'busy' } }),
    ]);

    const response = await call(sim, accounts.drs, 'POST', `${base}/batch-pause-task`, {
      jobs: [UUID(1), UUID(2)].map((job_id) => ({ job_id, pause_mode: 'all' })),
    });

    expect(response.json).toMatchObject({
      results: [
        { id: UUID(1), status: 'success' },
        { id: UUID(2), status: 'failed', error_code: 'DRS.10000011', error_msg: 'busy' },
      ],
    });
  });
});
