import { describe, expect, it } from 'vitest';
import { accounts, simWith, UUID } from './fixtures';
import { call, sleep } from './sign';

const dcs = (n: number, state: string, extra: object = {}) => ({
  provider: 'huawei-dcs' as const,
  account: 'dcs-main',
  id: UUID(n),
  name: `redis-${n}`,
  state,
  ...extra,
});
const base = '/v2/fakeprojectdcs01';

describe('simulated Huawei DCS', () => {
  it('stops one task: TERMINATING in the answer, TERMINATED after the transition, passwords in the body', async () => {
    const sim = await simWith([dcs(1, 'INCRMIGEATING')]);

    const stopped = await call(sim, accounts.dcs, 'POST', `${base}/migration-task/${UUID(1)}/stop`);
    await sleep(60);
    const read = await call(sim, accounts.dcs, 'GET', `${base}/migration-task/${UUID(1)}`);

    expect(stopped.json).toMatchObject({
      task_id: UUID(1),
      status: 'TERMINATING',
      source_instance: { password: expect.stringMatching(/^FAKE-REDIS-PW-/) },
    });
    expect(read.json).toMatchObject({ status: 'TERMINATED', target_instance: { password: expect.stringMatching(/^FAKE-/) } });
  });

  it('restarts only terminated online migrations; a backupfile_import task fails per task', async () => {
    const sim = await simWith([dcs(1, 'TERMINATED'), dcs(2, 'TERMINATED', { migrationType: 'backupfile_import' })]);

    const response = await call(sim, accounts.dcs, 'POST', `${base}/migration-tasks/batch-restart`, {
      migration_tasks: [UUID(1), UUID(2), UUID(3)],
    });
    await sleep(60);

    expect(response.json).toMatchObject({
      migration_tasks: [
        { task_id: UUID(1), result: 'success' },
        { task_id: UUID(2), result: 'failed', error_code: expect.any(String) },
        { task_id: UUID(3), result: 'failed', error_code: 'DCS.4133' },
      ],
    });
    expect(sim.task('huawei-dcs', UUID(1))?.state).toBe('MIGRATING');
    expect(sim.task('huawei-dcs', UUID(2))?.state).toBe('TERMINATED');
  });

  it('refuses a batch of 51 ids whole, and an unknown task with DCS.4133 (HTTP 400)', async () => {
    const sim = await simWith([dcs(1, 'MIGRATING')]);

    const tooMany = await call(sim, accounts.dcs, 'POST', `${base}/migration-task/batch-stop`, {
      migration_tasks: Array.from({ length: 51 }, (_, i) => UUID(i + 1)),
    });
    const unknown = await call(sim, accounts.dcs, 'GET', `${base}/migration-task/${UUID(42)}`);

    expect(tooMany).toMatchObject({
      status: 400,
      json: { error_code: expect.any(String), error_msg: expect.any(String), error_ext_msg: null },
    });
    expect(sim.task('huawei-dcs', UUID(1))?.state).toBe('MIGRATING');
    expect(unknown).toMatchObject({ status: 400, json: { error_code: 'DCS.4133' } });
  });

  it('batch-stops up to 50 and lists with offset, limit and name', async () => {
    const sim = await simWith(Array.from({ length: 12 }, (_, i) => dcs(i + 1, 'MIGRATING')));

    const stopped = await call(sim, accounts.dcs, 'POST', `${base}/migration-task/batch-stop`, {
      migration_tasks: [UUID(1), UUID(2)],
    });
    const page = await call(sim, accounts.dcs, 'GET', `${base}/migration-tasks?offset=10&limit=5`);
    const named = await call(sim, accounts.dcs, 'GET', `${base}/migration-tasks?name=redis-1`);
    const tooBig = await call(sim, accounts.dcs, 'GET', `${base}/migration-tasks?limit=1001`);

    expect(stopped.json).toMatchObject({ migration_tasks: [{ result: 'success' }, { result: 'success' }] });
    expect(sim.task('huawei-dcs', UUID(1))?.state).toBe('TERMINATING');
    expect(page.json).toMatchObject({ count: 12, migration_tasks: [{ task_id: UUID(11) }, { task_id: UUID(12) }] });
    expect(named.json).toMatchObject({ count: 4 });
    expect(tooBig.status).toBe(400);
  });

  it('rejects a whole batch containing a rejectsBatch task', async () => {
    const sim = await simWith([dcs(1, 'MIGRATING'), dcs(2, 'MIGRATING', { rejectsBatch: true })]);

    const response = await call(sim, accounts.dcs, 'POST', `${base}/migration-task/batch-stop`, {
      migration_tasks: [UUID(1), UUID(2)],
    });

    expect(response.status).toBe(400);
    expect(sim.task('huawei-dcs', UUID(1))?.state).toBe('MIGRATING');
  });
});
