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
