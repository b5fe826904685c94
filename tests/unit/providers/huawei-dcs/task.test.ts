import { describe, expect, it } from 'vitest';
import { BACKUPFILE_IMPORT_UNSUPPORTED } from '../../../../lib/providers/huawei-dcs';
import { dcsTaskListSchema, dcsTaskSchema, parseDcsBody, toProviderTask } from '../../../../lib/providers/huawei-dcs/task';
import { aDcsWireTask } from './fake-client';

describe('DCS task parsing', () => {
  it('keeps only safe fields: no password reaches the ProviderTask', () => {
    // Act
    const task = toProviderTask('dcs-main', parseDcsBody(dcsTaskSchema, aDcsWireTask(1), 'get'));
    // Assess
    expect(JSON.stringify(task)).not.toContain('FAKE-REDIS-PW');
    expect(task).toEqual({
      provider: 'huawei-dcs',
      account: 'dcs-main',
      taskId: '00000000-0000-4000-8000-000000000001',
      name: 'redis-1',
      state: 'MIGRATING',
      phase: 'running',
      details: {
        migration_type: 'online_migration',
        migration_method: 'incremental_migration',
        network_type: 'vpc',
        created_at: '2019/10/22 14:44:30',
        updated_at: '2019/10/22 14:54:30',
        target_instance_id: 'inst-1',
        target_instance_name: 'target-1',
      },
    });
  });

  it("hides the task's own passwords where its text quotes them, in any form, and still drops them", () => {
    // Prepare
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    const wire = aDcsWireTask(4, {
      task_name: 'redis-4 (source FAKE-REDIS-PW-4, target FAKE-REDIS-PW-T4)',
      target_instance: { id: 'inst-4', name: `target-4 ${base64('FAKE-REDIS-PW-T4')}`, password: 'FAKE-REDIS-PW-T4' },
      migration_method: `incremental_migration ${encodeURIComponent('FAKE-REDIS-PW-4')}`,
    });
    // Act
    const task = toProviderTask('dcs-main', parseDcsBody(dcsTaskSchema, wire, 'get'));
    // Assess
    expect(task.name).toBe('redis-4 (source [REDACTED], target [REDACTED])');
    expect(task.details).toMatchObject({
      target_instance_name: 'target-4 [REDACTED]',
      migration_method: 'incremental_migration [REDACTED]',
    });
    expect(task.taskId).toBe(wire.task_id);
    expect(JSON.stringify(task)).not.toMatch(/FAKE-REDIS-PW|password/);
  });

  it('reads a task whose password is not a string, and hides nothing for it', () => {
    const wire = aDcsWireTask(5, { source_instance: { password: 42 }, target_instance: { id: 'i', name: 'n', password: null } });
    expect(toProviderTask('a', parseDcsBody(dcsTaskSchema, wire, 'get'))).toMatchObject({ name: 'redis-5', state: 'MIGRATING' });
  });

  it('marks a backup-file import as not restartable', () => {
    const task = toProviderTask(
      'a',
      parseDcsBody(dcsTaskSchema, aDcsWireTask(2, { migration_type: 'backupfile_import' }), 'get'),
    );
    expect(task.resumeUnsupportedReason).toBe(BACKUPFILE_IMPORT_UNSUPPORTED);
  });

  it('strips passwords from a whole list as well', () => {
    const list = parseDcsBody(dcsTaskListSchema, { count: 2, migration_tasks: [aDcsWireTask(1), aDcsWireTask(2)] }, 'list');
    expect(JSON.stringify(list)).not.toContain('password');
  });

  it('never quotes a password when a body has the wrong shape', () => {
    // Prepare
    const broken = aDcsWireTask(3, { status: 42 });
    // Act
    const attempt = () => parseDcsBody(dcsTaskSchema, broken, 'get migration task', 't');
    // Assess
    expect(attempt).toThrow(/DCS answered get migration task with an unexpected body \(status: /);
    expect(attempt).not.toThrow(/FAKE-REDIS-PW/);
  });
});
