import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../lib/core/errors';
import type { HuaweiRequest } from '../../../../lib/providers/huawei/client';
import { BACKUPFILE_IMPORT_UNSUPPORTED } from '../../../../lib/providers/huawei-dcs';
import { createDcsSession } from '../../../../lib/providers/huawei-dcs/session';
import { aTask } from '../../../helpers/factories';
import { aDcsWireTask, dcsError, type FakeHandler, fakeClient } from './fake-client';

const OPTIONS = { force: false } as const;

function session(handler: FakeHandler) {
  const client = fakeClient(handler);
  return { client, session: createDcsSession({ accountName: 'dcs-main', projectId: 'proj1', client }) };
}

const dcsTask = (taskId: string, overrides = {}) =>
  aTask({ provider: 'huawei-dcs', account: 'dcs-main', taskId, state: 'MIGRATING', phase: 'running', ...overrides });

function idsOf(request: HuaweiRequest): string[] {
  return (request.body as { migration_tasks: string[] }).migration_tasks;
}

/** A batch endpoint that dispatches every id it is given. */
const allSucceed: FakeHandler = (req) => ({ migration_tasks: idsOf(req).map((task_id) => ({ task_id, result: 'success' })) });

describe('DCS session', () => {
  it('lists with offset and limit 1000 until count is reached', async () => {
    // Prepare
    const { client, session: dcs } = session(() => ({ count: 2, migration_tasks: [aDcsWireTask(1), aDcsWireTask(2)] }));
    // Act
    const tasks = await dcs.list();
    // Assess
    expect(tasks.map((t) => t.name)).toEqual(['redis-1', 'redis-2']);
    expect(client.requests).toEqual([{ method: 'GET', path: '/v2/proj1/migration-tasks', query: { offset: 0, limit: 1000 } }]);
    expect(JSON.stringify(tasks)).not.toContain('FAKE-REDIS-PW');
  });

  it('reads one task per id from the singular path, mapping DCS.4133 to not-found', async () => {
    // Prepare
    const { client, session: dcs } = session((req) => {
      if (req.taskId === 'gone') throw dcsError('DCS.4133', 'not-found');
      return aDcsWireTask(1);
    });
    // Act
    const found = await dcs.get(['00000000-0000-4000-8000-000000000001', 'gone']);
    // Assess
    expect(client.requests.map((r) => r.path)).toContain('/v2/proj1/migration-task/gone');
    expect(found.get('gone')).toBeInstanceOf(ProviderError);
    expect(found.get('gone')).toMatchObject({ errorClass: 'not-found', taskId: 'gone' });
  });

  it('stops a single task with migration-task/{id}/stop', async () => {
    // Prepare
    const { client, session: dcs } = session(() => aDcsWireTask(1, { status: 'TERMINATING' }));
    // Act
    const results = await dcs.pause([dcsTask('t1')], OPTIONS);
    // Assess
    expect(results).toEqual([{ taskId: 't1', ok: true }]);
    expect(client.requests).toEqual([{ method: 'POST', path: '/v2/proj1/migration-task/t1/stop', taskId: 't1', action: true }]);
  });

  it('stops many tasks with batch-stop, at most 50 ids a call', async () => {
    // Prepare
    const tasks = Array.from({ length: 120 }, (_, i) => dcsTask(`t${i}`));
    const { client, session: dcs } = session(allSucceed);
    // Act
    const results = await dcs.pause(tasks, OPTIONS);
    // Assess
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.taskId)).toEqual(tasks.map((t) => t.taskId));
    expect(client.requests.map((r) => [r.path, idsOf(r).length])).toEqual([
      ['/v2/proj1/migration-task/batch-stop', 50],
      ['/v2/proj1/migration-task/batch-stop', 50],
      ['/v2/proj1/migration-task/batch-stop', 20],
    ]);
  });

  it('turns each per-task result into its own ActionResult', async () => {
    // Prepare
    const { session: dcs } = session(() => ({
      migration_tasks: [
        { task_id: 'ok', result: 'success' },
        { task_id: 'gone', result: 'failed', error_code: 'DCS.4133', error_msg: 'task not found' },
        { task_id: 'odd', result: 'failed', error_code: 'DCS.9999', error_msg: 'something' },
      ],
    }));
    // Act
    const results = await dcs.pause(
      ['ok', 'gone', 'odd', 'silent'].map((id) => dcsTask(id)),
      OPTIONS,
    );
    // Assess
    expect(results[0]).toEqual({ taskId: 'ok', ok: true });
    expect(results[1]).toMatchObject({ ok: false, error: { errorClass: 'not-found', providerCode: 'DCS.4133', taskId: 'gone' } });
    expect(results[2]).toMatchObject({ ok: false, error: { errorClass: 'provider-error', providerCode: 'DCS.9999' } });
    expect(results[3]).toMatchObject({
      ok: false,
      error: { errorClass: 'provider-error', message: 'DCS batch-stop returned no result for task silent' },
    });
  });

  it('isolates the task that makes DCS refuse a whole batch', async () => {
    // Prepare
    const { client, session: dcs } = session((req) => {
      if (idsOf(req).includes('bad')) throw dcsError('DCS.4999', 'bad-request');
      return allSucceed(req);
    });
    // Act
    const results = await dcs.pause(
      ['a', 'b', 'bad', 'c'].map((id) => dcsTask(id)),
      OPTIONS,
    );
    // Assess
    expect(results.map((r) => [r.taskId, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['bad', false],
      ['c', true],
    ]);
    expect(results[2]).toMatchObject({ error: { taskId: 'bad', providerCode: 'DCS.4999' } });
    expect(client.requests.length).toBeGreaterThan(1);
  });

  it('fails every task of a batch on an auth error, without splitting', async () => {
    const { client, session: dcs } = session(() => {
      throw dcsError('APIG.0301', 'auth', 401);
    });
    const results = await dcs.pause(
      ['a', 'b', 'c'].map((id) => dcsTask(id)),
      OPTIONS,
    );
    expect(results.map((r) => !r.ok && r.error.errorClass)).toEqual(['auth', 'auth', 'auth']);
    expect(client.requests).toHaveLength(1);
  });

  it('restarts with migration-tasks/batch-restart, even for one task', async () => {
    // Prepare
    const { client, session: dcs } = session(allSucceed);
    // Act
    const results = await dcs.resume([dcsTask('t1', { state: 'TERMINATED', phase: 'paused' })], OPTIONS);
    // Assess
    expect(results).toEqual([{ taskId: 't1', ok: true }]);
    expect(client.requests).toEqual([
      { method: 'POST', path: '/v2/proj1/migration-tasks/batch-restart', body: { migration_tasks: ['t1'] }, action: true },
    ]);
  });

  it('never sends a backup-file import to restart', async () => {
    // Prepare
    const { client, session: dcs } = session(allSucceed);
    const tasks = [dcsTask('online'), dcsTask('backup', { resumeUnsupportedReason: BACKUPFILE_IMPORT_UNSUPPORTED })];
    // Act
    const results = await dcs.resume(tasks, OPTIONS);
    // Assess
    expect(results[0]).toEqual({ taskId: 'online', ok: true });
    expect(results[1]).toMatchObject({ taskId: 'backup', ok: false, error: { message: BACKUPFILE_IMPORT_UNSUPPORTED } });
    expect(client.requests.flatMap(idsOf)).toEqual(['online']);
  });

  it('sends nothing when every task to restart is unsupported', async () => {
    const { client, session: dcs } = session(allSucceed);
    await dcs.resume([dcsTask('backup', { resumeUnsupportedReason: BACKUPFILE_IMPORT_UNSUPPORTED })], OPTIONS);
    expect(client.requests).toEqual([]);
  });
});
