import { describe, expect, it } from 'vitest';
import { checkResume, pauseHoldChanges, resumeHoldChanges } from '../../../lib/core/holds';
import { targetKey } from '../../../lib/core/types';
import { aCommand, anOutcome, aPauseRecord, aTarget } from '../../helpers/factories';

const NOW = new Date('2026-11-28T09:00:00.000Z');
const target = aTarget({ taskId: 'a' });
const key = targetKey(target);

describe('checkResume: what a resume may do, judged on the holds read under the lease', () => {
  const resume = aCommand({ action: 'resume', source: 'window:x' });

  it('resumes a task only its own source holds', () => {
    expect(checkResume(resume, [aPauseRecord(target, { source: 'window:x' })], NOW)).toEqual({ act: true });
  });

  it('leaves a task another source holds paused, even an unconfirmed hold, and lets its own hold go', () => {
    const holds = [aPauseRecord(target, { source: 'window:x' }), aPauseRecord(target, { source: 'INC-1', status: 'pending' })];
    expect(checkResume(resume, holds, NOW)).toEqual({
      act: false,
      reason: 'still held paused by INC-1; resume there, or force',
      releaseOwn: true,
    });
  });

  it('does not count another source’s expired hold', () => {
    const holds = [
      aPauseRecord(target, { source: 'window:x' }),
      aPauseRecord(target, { source: 'INC-1', until: '2026-11-28T08:00:00Z' }),
    ];
    expect(checkResume(resume, holds, NOW)).toEqual({ act: true });
  });

  it('does nothing to a task its source does not hold, and marks the work as unaccounted for', () => {
    expect(checkResume(resume, [], NOW)).toEqual({ act: false, reason: 'not held by window:x', releaseOwn: false, unheld: true });
    expect(checkResume(resume, [aPauseRecord(target, { source: 'INC-1', until: '2026-11-28T08:00:00Z' })], NOW)).toMatchObject({
      act: false,
      unheld: true,
    });
  });

  it('never forces the resume of a task no source holds (paused by hand)', () => {
    const force = aCommand({ action: 'resume', source: 'oncall', options: { force: true } });
    expect(checkResume(force, [], NOW)).toMatchObject({ act: false, unheld: true });
    expect(checkResume(force, [aPauseRecord(target, { source: 'INC-1' })], NOW)).toEqual({ act: true });
  });

  it('lets the sweep resume only when every hold has expired', () => {
    const sweep = aCommand({ action: 'resume', source: 'window:expired-holds', options: { expiredHolds: true } });
    const expired = aPauseRecord(target, { source: 'INC-1', until: '2026-11-28T08:00:00Z' });
    expect(checkResume(sweep, [expired], NOW)).toEqual({ act: true });
    expect(checkResume(sweep, [expired, aPauseRecord(target, { source: 'INC-2' })], NOW)).toMatchObject({ act: false });
  });
});

describe('pauseHoldChanges: what a pause does to its own hold after the call', () => {
  const pause = aCommand({ action: 'pause', source: 'INC-1' });
  const changeOf = (overrides: Parameters<typeof anOutcome>[0]) =>
    pauseHoldChanges(pause, [anOutcome({ target, ...overrides })])[0];

  it('confirms the hold of a task seen paused', () => {
    expect(changeOf({ outcome: 'paused' })?.put?.map((h) => h.status)).toEqual(['held']);
  });

  it('removes it after a definitive refusal, or when the task was seen not to have paused', () => {
    expect(changeOf({ outcome: 'failed', errorClass: 'not-found' })).toEqual({ key, remove: ['INC-1'] });
    expect(changeOf({ outcome: 'failed', errorClass: 'retryable', notApplied: true })).toEqual({ key, remove: ['INC-1'] });
  });

  it('leaves it unconfirmed when the ending is unknown', () => {
    expect(changeOf({ outcome: 'failed', errorClass: 'retryable' })).toEqual({ key });
    expect(changeOf({ outcome: 'failed', errorClass: 'auth' })).toEqual({ key });
  });
});

describe('resumeHoldChanges: which holds a resume lifts', () => {
  const holds = new Map([
    [
      key,
      [aPauseRecord(target, { source: 'window:x' }), aPauseRecord(target, { source: 'INC-1', until: '2026-11-28T08:00:00Z' })],
    ],
  ]);

  it('lifts its own hold and the expired ones, never another that counts', () => {
    const resume = aCommand({ action: 'resume', source: 'window:x' });
    const { changes } = resumeHoldChanges(resume, [anOutcome({ target, outcome: 'resumed' })], holds, NOW);
    expect(changes).toEqual([{ key, remove: ['window:x', 'INC-1'] }]);
  });

  it('keeps every hold of a target it did not resume', () => {
    const resume = aCommand({ action: 'resume', source: 'window:x' });
    expect(resumeHoldChanges(resume, [anOutcome({ target, outcome: 'failed' })], holds, NOW).changes).toEqual([{ key }]);
  });

  it('on force lifts all of them and names, in the outcome, the holds it overruled', () => {
    const forced = aCommand({ action: 'resume', source: 'oncall', requestedBy: 'kim', options: { force: true } });
    const counting = new Map([[key, [aPauseRecord(target, { source: 'INC-2' }), aPauseRecord(target, { source: 'window:x' })]]]);
    const { changes, outcomes } = resumeHoldChanges(forced, [anOutcome({ target, outcome: 'resumed' })], counting, NOW);
    expect(changes).toEqual([{ key, remove: ['INC-2', 'window:x'] }]);
    expect(outcomes[0]?.reason).toBe('forced by kim: lifted the holds of INC-2, window:x');
  });
});
