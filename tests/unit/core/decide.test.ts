import { describe, expect, it } from 'vitest';
import { decidePause, decideResume, releasesHold } from '../../../lib/core/decide';
import { ProviderError } from '../../../lib/core/errors';
import { aPauseRecord, aTask } from '../../helpers/factories';

describe('decidePause', () => {
  it('acts on a running task', () => {
    expect(decidePause(aTask({ phase: 'running' })).kind).toBe('act');
  });

  it.each(['paused', 'pausing'] as const)('reports a %s task as already paused without a call', (phase) => {
    expect(decidePause(aTask({ phase, state: 'PAUSED' }))).toMatchObject({ kind: 'settled', outcome: 'already-paused' });
  });

  it.each(['waiting', 'finished', 'failed', 'other'] as const)('skips a %s task and says why', (phase) => {
    expect(decidePause(aTask({ phase, state: 'DONE' }))).toMatchObject({
      kind: 'settled',
      outcome: 'skipped',
      reason: 'not in a pausable state (DONE)',
    });
  });
});

describe('decideResume', () => {
  const record = aPauseRecord();

  it('resumes a task we paused that is still paused', () => {
    expect(decideResume(record, aTask({ phase: 'paused', state: 'PAUSED' })).kind).toBe('act');
  });

  it('reports a task resumed by hand as already running and releases our hold', () => {
    const decision = decideResume(record, aTask({ phase: 'running' }));
    expect(decision).toMatchObject({ outcome: 'already-running' });
    expect(releasesHold(decision)).toBe('all');
  });

  it('reports a DCS backup import as unsupported instead of calling restart', () => {
    const decision = decideResume(record, aTask({ phase: 'paused', resumeUnsupportedReason: 'online migrations only' }));
    expect(decision).toMatchObject({ outcome: 'unsupported', reason: 'online migrations only' });
  });

  it('fails a task that vanished with the not-found class', () => {
    const gone = new ProviderError('no such job', {
      errorClass: 'not-found',
      provider: 'huawei-drs',
      providerCode: 'DRS.10000010',
    });
    expect(decideResume(record, gone)).toMatchObject({
      outcome: 'failed',
      errorClass: 'not-found',
      providerCode: 'DRS.10000010',
    });
  });

  it('fails a task that is still pausing as retryable, keeping the hold', () => {
    const decision = decideResume(record, aTask({ phase: 'pausing', state: '7' }));
    expect(decision).toMatchObject({ outcome: 'failed', errorClass: 'retryable' });
    expect(releasesHold(decision)).toBe('none');
  });
});
