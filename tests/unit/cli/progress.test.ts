import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { colourWanted, createProgressReporter, progressLine } from '../../../cli/progress';
import { anOutcome, aTarget } from '../../helpers/factories';

describe('the progress line', () => {
  it('draws a bar once every provider’s total is known, with counts and failures per provider', () => {
    const line = progressLine(
      { 'ncp-object-migration': { done: 30, failed: 2, expected: 40 }, 'huawei-drs': { done: 10, failed: 0, expected: 40 } },
      { label: 'pausing', elapsedMs: 3_400, colour: false, barWidth: 10 },
    );

    expect(line).toBe('pausing  [#####.....] 40/80  ncp 30/40 2 failed  drs 10/40  3s');
  });

  it('shows counts without a bar while a provider’s total is unknown', () => {
    const line = progressLine(
      { 'huawei-oms': { done: 3, failed: 0 }, 'huawei-dcs': { done: 1, failed: 1, expected: 5 } },
      { label: 'resuming', elapsedMs: 1_000, colour: false },
    );

    expect(line).toBe('resuming  4 done  oms 3  dcs 1/5 1 failed  1s');
  });

  it('colours only when asked, and NO_COLOR or a pipe turns colour off', () => {
    const counts = { 'huawei-drs': { done: 1, failed: 1, expected: 2 } };

    expect(progressLine(counts, { label: 'pausing', elapsedMs: 0, colour: true })).toContain('\u001b[31m1 failed');
    expect(progressLine(counts, { label: 'pausing', elapsedMs: 0, colour: false })).not.toContain('\u001b[');
    expect(colourWanted({}, true)).toBe(true);
    expect(colourWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colourWanted({}, false)).toBe(false);
  });
});

describe('the progress reporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const failed = anOutcome({ target: aTarget({ provider: 'huawei-drs' }), outcome: 'failed' });
  const paused = anOutcome({ target: aTarget({ provider: 'huawei-drs' }), outcome: 'paused' });

  it('shows nothing for a run shorter than a second', () => {
    const written: string[] = [];
    const progress = createProgressReporter({
      stream: { isTTY: true, write: (t) => written.push(t) },
      label: 'pausing',
      colour: false,
    });

    progress.onOutcome(paused);
    vi.advanceTimersByTime(900);
    progress.finish();

    expect(written).toEqual([]);
  });

  it('on a terminal, redraws one line in place and clears it at the end', () => {
    const written: string[] = [];
    const progress = createProgressReporter({
      stream: { isTTY: true, write: (t) => written.push(t) },
      label: 'pausing',
      colour: false,
    });
    progress.expect('huawei-drs', 2);

    vi.advanceTimersByTime(1_000);
    progress.onOutcome(paused);
    progress.onOutcome(failed);
    vi.advanceTimersByTime(100);
    progress.finish();

    expect(written[0]).toBe(`\rpausing  [${'.'.repeat(20)}] 0/2  drs 0/2  1s\u001b[K`);
    expect(written.at(-2)).toMatch(/^\rpausing {2}\[#+\] 2\/2 {2}drs 2\/2 1 failed/);
    expect(written.at(-1)).toBe('\r\u001b[K');
    expect(written.join('')).not.toContain('\n');
  });

  it('off a terminal, writes a plain line every few seconds and never a control code', () => {
    const written: string[] = [];
    const progress = createProgressReporter({
      stream: { isTTY: false, write: (t) => written.push(t) },
      label: 'resuming',
      colour: true,
    });

    vi.advanceTimersByTime(11_000);
    progress.finish();

    expect(written).toEqual(['resuming  0 done  1s\n', 'resuming  0 done  6s\n', 'resuming  0 done  11s\n']);
  });
});
