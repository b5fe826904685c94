import { describe, expect, it } from 'vitest';
import { fakeRedisPasswords } from '../../sim';
import { accounts, simWith, UUID } from './fixtures';
import { call } from './sign';

/** The echoing provider (Scenario.echoSecrets): credentials quoted in free text, states, ids and codes untouched. */

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** The text quotes every one of `values`, bare and base64-encoded. */
function expectQuotes(text: unknown, values: readonly string[]): void {
  expect(typeof text).toBe('string');
  for (const value of values) {
    expect(text).toContain(value);
    expect(text).toContain(base64(value));
  }
}

const keys = {
  ncp: [accounts.ncp.accessKey, accounts.ncp.secretKey],
  oms: [accounts.oms.accessKey, accounts.oms.secretKey, accounts.oms.oms.dst_ak, accounts.oms.oms.dst_sk],
  drs: [accounts.drs.accessKey, accounts.drs.secretKey],
  dcs: [accounts.dcs.accessKey, accounts.dcs.secretKey],
};

describe('an echoing simulator', () => {
  it('NCP: quotes the keys in the policy prefixes and in error messages; title and state are as they were', async () => {
    const sim = await simWith(
      [
        { provider: 'ncp-object-migration', account: 'ncp-main', id: 'photos', name: 'photos', state: 'STARTED' },
        { provider: 'ncp-object-migration', account: 'ncp-main', id: 'logs', name: 'logs', state: 'PAUSED' },
      ],
      { echoSecrets: true },
    );

    const list = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policies?limit=10&page=0');
    const paused = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');
    const refused = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/logs/pause');

    const jobs = (list.json as { jobList: Array<Record<string, unknown>> }).jobList;
    expect(jobs.map((j) => [j.title, j.jobState])).toEqual([
      ['photos', 'STARTED'],
      ['logs', 'PAUSED'],
    ]);
    for (const job of jobs) {
      expectQuotes(job.sourcePrefix, keys.ncp);
      expectQuotes(job.targetPrefix, keys.ncp);
    }
    expect(paused).toMatchObject({ status: 200, json: { title: 'photos', jobState: 'STARTED' } });
    expect(refused).toMatchObject({ status: 400, json: { error: { errorCode: '100' } } });
    expectQuotes((refused.json as { error: { message: string } }).error.message, keys.ncp);
  });

  it('OMS: quotes the signing and task keys in names, failure reasons and error messages; ids and statuses stay numbers', async () => {
    const sim = await simWith(
      [
        { provider: 'huawei-oms', account: 'oms-main', id: '191297407830001', name: 'task-1', state: '2' },
        { provider: 'huawei-oms', account: 'oms-main', id: '191297407830002', name: 'task-2', state: '4' },
      ],
      { echoSecrets: true },
    );
    const base = '/v2/fakeprojectoms01/tasks';

    const list = await call(sim, accounts.oms, 'GET', base);
    const failed = await call(sim, accounts.oms, 'GET', `${base}/191297407830002`);
    const refused = await call(sim, accounts.oms, 'POST', `${base}/191297407830002/stop`);

    const tasks = (list.json as { tasks: Array<Record<string, unknown>> }).tasks;
    expect(tasks.map((t) => [t.id, t.status])).toEqual([
      [191297407830001, 2],
      [191297407830002, 4],
    ]);
    expect(tasks[0]?.name).toMatch(/^task-1 /);
    for (const task of tasks) expectQuotes(task.name, keys.oms);
    expect(failed.json).toMatchObject({ error_reason: { error_code: 'OMS.0503' } });
    expectQuotes((failed.json as { error_reason: { error_msg: string } }).error_reason.error_msg, keys.oms);
    expect(refused).toMatchObject({ status: 400, json: { error_code: 'OMS.0066' } });
    expectQuotes((refused.json as { error_msg: string }).error_msg, keys.oms);
  });

  it('DRS: quotes the keys in names, descriptions and per-job errors of a 200; codes change only with codes: true', async () => {
    const jobs = [
      { provider: 'huawei-drs' as const, account: 'drs-main', id: UUID(1), name: 'db-1', state: 'INCRE_TRANSFER_STARTED' },
      { provider: 'huawei-drs' as const, account: 'drs-main', id: UUID(2), name: 'db-2', state: 'CONFIGURATION' },
    ];
    const base = '/v3/fakeprojectdrs01/jobs';
    const pauseBody = { jobs: [UUID(1), UUID(2), UUID(9)].map((job_id) => ({ job_id, pause_mode: 'target' })) };

    const plain = await simWith(structuredClone(jobs), { echoSecrets: true });
    const list = await call(plain, accounts.drs, 'POST', base, { cur_page: 1, per_page: 10, db_use_type: 'migration' });
    const status = await call(plain, accounts.drs, 'POST', `${base}/batch-status`, {
      jobs: [UUID(1), UUID(9)],
      page_req: { cur_page: 1, per_page: 0 },
    });
    const paused = await call(plain, accounts.drs, 'POST', `${base}/batch-pause-task`, pauseBody);
    const withCodes = await simWith(structuredClone(jobs), { echoSecrets: { codes: true } });
    const pausedWithCodes = await call(withCodes, accounts.drs, 'POST', `${base}/batch-pause-task`, pauseBody);

    const listed = (list.json as { jobs: Array<Record<string, unknown>> }).jobs;
    expect(listed.map((j) => [j.id, j.status])).toEqual([
      [UUID(1), 'INCRE_TRANSFER_STARTED'],
      [UUID(2), 'CONFIGURATION'],
    ]);
    for (const job of listed) {
      expectQuotes(job.name, keys.drs);
      expectQuotes(job.description, keys.drs);
    }
    expect(status.json).toMatchObject({
      results: [
        { id: UUID(1), status: 'INCRE_TRANSFER_STARTED' },
        { id: UUID(9), error_code: 'DRS.10000010' },
      ],
    });
    expectQuotes((status.json as { results: Array<{ error_message?: string }> }).results[1]?.error_message, keys.drs);
    expect(paused.json).toMatchObject({
      results: [
        { id: UUID(1), status: 'success' },
        { id: UUID(2), status: 'failed', error_code: 'DRS.10020003' },
        { id: UUID(9), status: 'failed', error_code: 'DRS.10000010' },
      ],
    });
    const results = (paused.json as { results: Array<{ error_msg?: string }> }).results;
    expect(results[0]).not.toHaveProperty('error_msg');
    for (const result of results.slice(1)) expectQuotes(result.error_msg, keys.drs);
    const coded = (pausedWithCodes.json as { results: Array<{ status: string; error_code?: string }> }).results;
    expect(coded.map((r) => r.status)).toEqual(['success', 'failed', 'failed']);
    expect(coded[1]?.error_code).toMatch(/^DRS\.10020003 /);
    expectQuotes(coded[2]?.error_code, keys.drs);
  });

  it("DCS: quotes the keys, and the task's own passwords where its body carries them; batch results quote the keys", async () => {
    const sim = await simWith(
      [
        { provider: 'huawei-dcs', account: 'dcs-main', id: UUID(1), name: 'redis-1', state: 'MIGRATING' },
        { provider: 'huawei-dcs', account: 'dcs-main', id: UUID(2), name: 'redis-2', state: 'TERMINATED' },
      ],
      { echoSecrets: true },
    );
    const base = '/v2/fakeprojectdcs01';
    const passwords = fakeRedisPasswords(0);

    const read = await call(sim, accounts.dcs, 'GET', `${base}/migration-task/${UUID(1)}`);
    const stopped = await call(sim, accounts.dcs, 'POST', `${base}/migration-task/batch-stop`, {
      migration_tasks: [UUID(1), UUID(2)],
    });
    const refused = await call(sim, accounts.dcs, 'POST', `${base}/migration-task/${UUID(2)}/stop`);

    const task = read.json as Record<string, Record<string, unknown> | string>;
    expect(task).toMatchObject({ task_id: UUID(1), status: 'MIGRATING', migration_type: 'online_migration' });
    for (const text of [task.task_name, task.description, (task.target_instance as Record<string, unknown>).name]) {
      expectQuotes(text, [...keys.dcs, passwords.source, passwords.target]);
    }
    expect(stopped.json).toMatchObject({
      migration_tasks: [
        { task_id: UUID(1), result: 'success' },
        { task_id: UUID(2), result: 'failed', error_code: 'DCS.4135' },
      ],
    });
    const failure = (stopped.json as { migration_tasks: Array<{ error_msg?: string }> }).migration_tasks[1];
    expectQuotes(failure?.error_msg, keys.dcs);
    expect(refused).toMatchObject({ status: 400, json: { error_code: 'DCS.4135', error_ext_msg: null } });
    expectQuotes((refused.json as { error_msg: string }).error_msg, keys.dcs);
  });

  it('quotes only the presented access key to a caller that failed authentication', async () => {
    const sim = await simWith([], { echoSecrets: true });

    const refused = await call(sim, accounts.drs, 'POST', '/v3/fakeprojectdrs01/jobs', {}, { secretKey: 'WRONG-SECRET' });

    expect(refused).toMatchObject({ status: 401, json: { error_code: 'APIG.0301' } });
    expectQuotes((refused.json as { error_msg: string }).error_msg, [accounts.drs.accessKey]);
    expect(refused.text).not.toContain(accounts.drs.secretKey);
    expect(refused.text).not.toContain(base64(accounts.drs.secretKey));
  });

  it('quotes nothing when the scenario does not ask for it', async () => {
    const sim = await simWith([
      { provider: 'huawei-drs', account: 'drs-main', id: UUID(1), name: 'db-1', state: 'CONFIGURATION' },
    ]);

    const list = await call(sim, accounts.drs, 'POST', '/v3/fakeprojectdrs01/jobs', {
      cur_page: 1,
      per_page: 10,
      db_use_type: 'migration',
    });

    expect(list.json).toMatchObject({ jobs: [{ name: 'db-1', description: '' }] });
    expect(list.text).not.toContain(accounts.drs.accessKey);
  });
});
