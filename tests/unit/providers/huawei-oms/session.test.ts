import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../lib/core/errors';
import { createOmsSession } from '../../../../lib/providers/huawei-oms/session';
import { aTask } from '../../../helpers/factories';
import { type FakeHandler, fakeClient, omsError } from './fake-client';

const OPTIONS = { force: false } as const;
const KEYS = { dst_ak: 'FAKEDSTACCESSKEY01', dst_sk: 'FAKEDSTSECRETKEY01' };

function session(handler: FakeHandler, oms: unknown = KEYS) {
  const client = fakeClient(handler);
  const opened = createOmsSession({
    accountName: 'oms-main',
    projectId: 'proj1',
    secret: { ak: 'FAKEAK', sk: 'FAKESK', oms },
    secretRef: 'env:MP_TEST',
    client,
  });
  return { client, session: opened };
}

const omsTask = (taskId: string) => aTask({ provider: 'huawei-oms', account: 'oms-main', taskId, state: '2', phase: 'running' });

describe('OMS session', () => {
  it('lists every page, 100 tasks at a time, until count is reached', async () => {
    // Prepare
    const all = Array.from({ length: 230 }, (_, i) => ({ id: 100000000000000 + i, name: `t${i}`, status: 2 }));
    const { client, session: oms } = session((req) => {
      const offset = Number(req.query?.offset);
      return { tasks: all.slice(offset, offset + Number(req.query?.limit)), count: all.length };
    });
    // Act
    const tasks = await oms.list();
    // Assess
    expect(tasks).toHaveLength(230);
    expect(client.requests.map((r) => [r.path, r.query])).toEqual([
      ['/v2/proj1/tasks', { limit: 100, offset: 0 }],
      ['/v2/proj1/tasks', { limit: 100, offset: 100 }],
      ['/v2/proj1/tasks', { limit: 100, offset: 200 }],
    ]);
  });

  it('stops listing when a page comes back empty even if count says more', async () => {
    const { client, session: oms } = session(() => ({ tasks: [], count: 5 }));
    expect(await oms.list()).toEqual([]);
    expect(client.requests).toHaveLength(1);
  });

  it('reads each task and maps a missing one to its not-found error', async () => {
    // Prepare
    const { session: oms } = session((req) => {
      if (req.taskId === '2') throw omsError('OMS.1009', 400, 'not-found');
      return { id: Number(req.taskId), name: 'x', status: 3 };
    });
    // Act
    const found = await oms.get(['1', '2']);
    // Assess
    expect(found.get('1')).toMatchObject({ taskId: '1', phase: 'paused' });
    expect(found.get('2')).toBeInstanceOf(ProviderError);
    expect(found.get('2')).toMatchObject({ errorClass: 'not-found', taskId: '2' });
  });

  it('pauses with a bodyless POST to tasks/{id}/stop', async () => {
    // Prepare
    const { client, session: oms } = session(() => undefined);
    // Act
    const results = await oms.pause([omsTask('1')], OPTIONS);
    // Assess
    expect(results).toEqual([{ taskId: '1', ok: true }]);
    expect(client.requests).toEqual([{ method: 'POST', path: '/v2/proj1/tasks/1/stop', taskId: '1', action: true }]);
  });

  it('reports a refused stop as that task’s failure', async () => {
    const { session: oms } = session(() => {
      throw omsError('OMS.0066', 400, 'invalid-state');
    });
    const [result] = await oms.pause([omsTask('1')], OPTIONS);
    expect(result).toMatchObject({ taskId: '1', ok: false, error: { errorClass: 'invalid-state', taskId: '1' } });
  });

  it('resumes with the task keys and migrate_failed_object in the start body', async () => {
    // Prepare
    const { client, session: oms } = session(() => undefined);
    // Act
    const results = await oms.resume([omsTask('1')], { ...OPTIONS, 'huawei-oms': { migrateFailedObject: true } });
    // Assess
    expect(results).toEqual([{ taskId: '1', ok: true }]);
    expect(client.requests).toEqual([
      {
        method: 'POST',
        path: '/v2/proj1/tasks/1/start',
        taskId: '1',
        body: { ...KEYS, migrate_failed_object: true },
        action: true,
      },
    ]);
  });

  it('fails a resume without destination keys and sends nothing', async () => {
    // Prepare
    const { client, session: oms } = session(() => undefined, { dst_ak: KEYS.dst_ak });
    // Act
    const [result] = await oms.resume([omsTask('1')], OPTIONS);
    // Assess
    expect(result).toMatchObject({
      ok: false,
      error: { errorClass: 'bad-request', message: 'secret env:MP_TEST has no oms.dst_sk for task 1' },
    });
    expect(client.requests).toEqual([]);
  });

  it('removes the task keys from a provider message that echoes them', async () => {
    // Prepare
    const { session: oms } = session(() => {
      throw new ProviderError(`huawei-oms HTTP 400 OMS.0004: bad key ${KEYS.dst_ak}`, {
        errorClass: 'bad-request',
        provider: 'huawei-oms',
        providerCode: 'OMS.0004',
      });
    });
    // Act
    const [result] = await oms.resume([omsTask('1')], OPTIONS);
    // Assess
    expect(result?.ok).toBe(false);
    const message = result && !result.ok ? result.error.message : '';
    expect(message).toBe('huawei-oms HTTP 400 OMS.0004: bad key [redacted]');
    expect(result).toMatchObject({ error: { providerCode: 'OMS.0004', taskId: '1' } });
  });

  it('encodes the project and task ids into the path', async () => {
    const { client, session: oms } = session(() => undefined);
    await oms.pause([omsTask('a b')], OPTIONS);
    expect(client.requests[0]?.path).toBe('/v2/proj1/tasks/a%20b/stop');
  });
});
