import { describe, expect, it } from 'vitest';
import { dcsPhase } from '../../../../lib/providers/huawei-dcs';

describe('dcsPhase', () => {
  it.each([
    ['MIGRATING', 'running'],
    ['FULLMIGRATING', 'running'],
    ['INCRMIGEATING', 'running'],
    ['INCRMIGRATING', 'running'],
    ['TERMINATING', 'pausing'],
    ['TERMINATED', 'paused'],
    ['SUCCESS', 'finished'],
    ['RELEASED', 'finished'],
    ['FAILED', 'failed'],
    ['MIGRATION_FAILED', 'failed'],
    ['RUNNING', 'waiting'],
    ['CREATING', 'other'],
  ])('maps %s to %s', (status, phase) => {
    expect(dcsPhase(status)).toBe(phase);
  });
});
