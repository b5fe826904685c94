import { describe, expect, it } from 'vitest';
import { dmsPhase } from '../../../../lib/providers/aws-dms';

describe('dmsPhase', () => {
  it.each([
    ['running', 'running'],
    ['stopping', 'pausing'],
    ['stopped', 'paused'],
    ['ready', 'waiting'],
    ['creating', 'waiting'],
    ['starting', 'waiting'],
    ['failed', 'failed'],
    ['failed-move', 'failed'],
    ['deleting', 'finished'],
    ['modifying', 'other'],
    ['moving', 'other'],
    ['testing', 'other'],
    ['something-new', 'other'],
    ['constructor', 'other'],
  ] as const)('maps status %s to %s', (status, phase) => {
    expect(dmsPhase(status)).toBe(phase);
  });

  it('tells a stopped task that finished its full load, or failed, from one someone stopped', () => {
    expect(dmsPhase('stopped', 'Stop Reason NORMAL')).toBe('paused');
    expect(dmsPhase('stopped', 'Stop Reason STOPPED_AFTER_FULL_LOAD')).toBe('paused');
    expect(dmsPhase('stopped', 'Stop Reason FULL_LOAD_ONLY_FINISHED')).toBe('finished');
    expect(dmsPhase('stopped', 'Stop Reason FATAL_ERROR')).toBe('failed');
    expect(dmsPhase('stopped', 'RECOVERABLE_ERROR')).toBe('failed');
    // A stop reason means nothing for a task that is running again.
    expect(dmsPhase('running', 'Stop Reason FATAL_ERROR')).toBe('running');
  });
});
