import { describe, expect, it } from 'vitest';
import { drsPhase } from '../../../../lib/providers/huawei-drs';
import type { TaskPhase } from '../../../../lib/providers/types';

describe('drsPhase', () => {
  it.each<[string, TaskPhase]>([
    ['FULL_TRANSFER_STARTED', 'running'],
    ['FULL_TRANSFER_FAILED', 'running'],
    ['FULL_TRANSFER_COMPLETE', 'running'],
    ['INCRE_TRANSFER_STARTED', 'running'],
    ['INCRE_TRANSFER_FAILED', 'running'],
    ['PAUSING', 'paused'],
    ['CREATE_FAILED', 'failed'],
    ['START_JOB_FAILED', 'failed'],
    ['RELEASE_RESOURCE_STARTED', 'finished'],
    ['RELEASE_RESOURCE_COMPLETE', 'finished'],
    ['DELETED', 'finished'],
    ['CREATING', 'other'],
    ['CONFIGURATION', 'other'],
    ['WAITING_FOR_START', 'other'],
    ['CHANGE_JOB_STARTED', 'other'],
    ['PAUSED', 'other'],
  ])('maps %s to %s', (status, phase) => {
    expect(drsPhase(status)).toBe(phase);
  });
});
