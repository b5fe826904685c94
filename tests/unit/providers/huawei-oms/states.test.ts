import { describe, expect, it } from 'vitest';
import { omsPhase } from '../../../../lib/providers/huawei-oms';

describe('omsPhase', () => {
  it.each([
    ['2', 'running'],
    ['7', 'pausing'],
    ['3', 'paused'],
    ['1', 'waiting'],
    ['0', 'waiting'],
    ['4', 'failed'],
    ['5', 'finished'],
    ['6', 'other'],
    ['', 'other'],
  ])('maps status %j to %s', (status, phase) => {
    expect(omsPhase(status)).toBe(phase);
  });
});
