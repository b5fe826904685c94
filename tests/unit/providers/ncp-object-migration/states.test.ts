import { describe, expect, it } from 'vitest';
import { ncpPhase } from '../../../../lib/providers/ncp-object-migration';

describe('ncpPhase', () => {
  it.each([
    ['STARTED', 'running'],
    ['PAUSED', 'paused'],
    ['INITIALIZED', 'waiting'],
    ['DONE', 'finished'],
    ['DELETED', 'finished'],
    ['ERROR', 'failed'],
    ['MIGRATING', 'other'],
    ['started', 'other'],
    ['toString', 'other'],
    ['', 'other'],
  ])('reads jobState %j as %s', (state, phase) => {
    expect(ncpPhase(state)).toBe(phase);
  });
});
