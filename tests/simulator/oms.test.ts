import { describe, expect, it } from 'vitest';
import { accounts, simWith } from './fixtures';
import { call, sleep } from './sign';

const oms = (id: string, state: string) => ({
  provider: 'huawei-oms' as const,
  account: 'oms-main',
  id,
  name: `task-${id}`,
  state,
});
const base = '/v2/fakeprojectoms01/tasks';

describe('simulated Huawei OMS', () => {
  it('stops a migrating task: 200 with an empty body, 7 at once, 3 after the transition', async () => {
    const sim = await simWith([oms('191297407830872', '2')]);

    const stopped = await call(sim, accounts.oms, 'POST', `${base}/191297407830872/stop`);
    const pausing = await call(sim, accounts.oms, 'GET', `${base}/191297407830872`);
    await sleep(60);

    expect(stopped).toMatchObject({ status: 200, text: '' });
    expect(pausing.json).toMatchObject({ id: 191297407830872, status: 7 });
    expect(pausing.text).toContain('"id":191297407830872');
    expect(sim.task('huawei-oms', '191297407830872')?.state).toBe('3');
  });

  it('refuses to stop a task that is not migrating (OMS.0066) and an unknown task (OMS.1009, HTTP 400)', async () => {
    const sim = await simWith([oms('191297407830001', '3')]);

    const notRunning = await call(sim, accounts.oms, 'POST', `${base}/191297407830001/stop`);
    const unknown = await call(sim, accounts.oms, 'POST', `${base}/191297407839999/stop`);

    expect(notRunning).toMatchObject({ status: 400, json: { error_code: 'OMS.0066' } });
    expect(unknown).toMatchObject({ status: 400, json: { error_code: 'OMS.1009' } });
  });

  it("starts a paused task only with the account's destination keys, then 1 → 2", async () => {
    const sim = await simWith([oms('191297407830002', '3')]);

    const missing = await call(sim, accounts.oms, 'POST', `${base}/191297407830002/start`, { migrate_failed_object: false });
    const wrong = await call(sim, accounts.oms, 'POST', `${base}/191297407830002/start`, {
      dst_ak: 'FAKE-DST-AK',
      dst_sk: 'FAKE-NOPE',
    });
    const started = await call(sim, accounts.oms, 'POST', `${base}/191297407830002/start`, {
      dst_ak: 'FAKE-DST-AK',
      dst_sk: 'FAKE-DST-SK',
    });
    const waiting = sim.task('huawei-oms', '191297407830002')?.state;
    await sleep(60);

    expect(missing.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(wrong.text).not.toContain('FAKE-NOPE');
    expect(started).toMatchObject({ status: 200, text: '' });
    expect(waiting).toBe('1');
    expect(sim.task('huawei-oms', '191297407830002')?.state).toBe('2');
  });

  it('lists with limit and offset, filters by status, and counts every match', async () => {
    const sim = await simWith([
      oms('100000000000001', '2'),
      oms('100000000000002', '3'),
      oms('100000000000003', '2'),
      oms('100000000000004', '2'),
    ]);

    const page = await call(sim, accounts.oms, 'GET', `${base}?limit=1&offset=1&status=2`);
    const zero = await call(sim, accounts.oms, 'GET', `${base}?limit=0`);
    const tooBig = await call(sim, accounts.oms, 'GET', `${base}?limit=101`);

    expect(page.json).toEqual({ count: 3, tasks: [expect.objectContaining({ id: 100000000000003, status: 2 })] });
    expect(zero.status).toBe(400);
    expect(tooBig).toMatchObject({ status: 400, json: { error_code: expect.stringMatching(/^OMS\./) } });
  });
});
