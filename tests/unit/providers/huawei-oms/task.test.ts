import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../lib/core/errors';
import { omsTaskSchema, parseOmsBody, toProviderTask } from '../../../../lib/providers/huawei-oms/task';

function anOmsTask(overrides: Record<string, unknown> = {}) {
  return { id: 100000000000001, name: 'photos', status: 2, progress: 0.5, total_size: 100, complete_size: 50, ...overrides };
}

describe('OMS task parsing', () => {
  it('keeps a 15-digit numeric id exactly, as a string', () => {
    // Prepare
    const wire = JSON.parse('{"id": 987654321012345, "name": "t", "status": 3}');
    // Act
    const task = toProviderTask('oms-main', parseOmsBody(omsTaskSchema, wire, 'get task'));
    // Assess
    expect(task).toMatchObject({ taskId: '987654321012345', state: '3', phase: 'paused', account: 'oms-main' });
  });

  it('accepts an id sent as a string', () => {
    expect(parseOmsBody(omsTaskSchema, anOmsTask({ id: '100000000000002' }), 'get task').id).toBe('100000000000002');
  });

  it('refuses an id too large to be exact rather than rounding it', () => {
    expect(() => parseOmsBody(omsTaskSchema, anOmsTask({ id: 2 ** 60 }), 'get task')).toThrow(ProviderError);
  });

  it('shows progress, sizes and the failure reason as details', () => {
    // Act
    const task = toProviderTask(
      'a',
      parseOmsBody(omsTaskSchema, anOmsTask({ status: 4, error_reason: { error_code: 'OMS.0001', error_msg: 'boom' } }), 'x'),
    );
    // Assess
    expect(task.phase).toBe('failed');
    expect(task.details).toEqual({
      progress: 0.5,
      total_size: 100,
      complete_size: 50,
      error_code: 'OMS.0001',
      error_msg: 'boom',
    });
  });

  it('names an unexpected body as a provider error without retrying', () => {
    // Act
    const attempt = () => parseOmsBody(omsTaskSchema, { name: 'no id' }, 'get task', '1');
    // Assess
    expect(attempt).toThrow(/OMS answered get task with an unexpected body \(id: /);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ errorClass: 'provider-error', taskId: '1' });
    }
  });
});
