import { describe, expect, it } from 'vitest';
import { formatInZone } from '../../../cli/windows';
import { invertedDays, nextSpans } from '../../../lib/windows/fires';
import { parseWindowsFile } from '../../../lib/windows/load';
import type { WindowDefinition } from '../../../lib/windows/schema';
import { instantOf } from '../../../lib/windows/time-zone';

/** A window as the windows file would give it (validated by the same schema). */
function aWindow(overrides: Record<string, unknown> = {}): WindowDefinition {
  const [window] = parseWindowsFile(
    {
      windows: [
        {
          name: 'weekday-business-hours',
          timezone: 'Asia/Seoul',
          pause: 'cron(0 9 ? * MON-FRI *)',
          resume: 'cron(0 18 ? * MON-FRI *)',
          scope: { all: true },
          reason: 'business hours',
          ...overrides,
        },
      ],
    },
    'test',
  ).windows;
  if (!window) throw new Error('no window');
  return window;
}

describe('the next fires of a window', () => {
  it('read day-of-week numbers as EventBridge does (1 = Sunday), and its last-weekday and nth-weekday forms', () => {
    const at = (pause: string) =>
      nextSpans(aWindow({ timezone: 'UTC', pause }), new Date('2026-03-01T00:00:00Z'), 1)[0]?.pause.toISOString();

    expect(at('cron(0 9 ? * 2 *)')).toBe('2026-03-02T09:00:00.000Z'); // 2 = Monday
    expect(at('cron(0 9 ? * 6L *)')).toBe('2026-03-27T09:00:00.000Z'); // the last Friday of March
    expect(at('cron(0 9 ? * 2#2 *)')).toBe('2026-03-09T09:00:00.000Z'); // the second Monday
    expect(at('cron(0 9 1 * ? 2027)')).toBe('2027-01-01T09:00:00.000Z');
    expect(at('cron(0/20 9 ? * MON *)')).toBe('2026-03-02T09:00:00.000Z');
  });

  it('keep 09:00 New York time across the March DST change, so the UTC time moves one hour earlier', () => {
    const spans = nextSpans(aWindow({ timezone: 'America/New_York' }), new Date('2026-03-05T23:30:00Z'), 3);

    expect(spans.map((s) => formatInZone(s.pause, 'America/New_York'))).toEqual([
      'Fri 2026-03-06 09:00 UTC-05:00',
      'Mon 2026-03-09 09:00 UTC-04:00',
      'Tue 2026-03-10 09:00 UTC-04:00',
    ]);
    expect(spans.map((s) => formatInZone(s.pause, 'Asia/Seoul'))).toEqual([
      'Fri 2026-03-06 23:00 UTC+09:00',
      'Mon 2026-03-09 22:00 UTC+09:00',
      'Tue 2026-03-10 22:00 UTC+09:00',
    ]);
  });

  it('start with the window under way, if its pause fired and its resume did not yet', () => {
    const [first, second] = nextSpans(aWindow(), new Date('2026-11-30T03:00:00Z'), 2);

    expect(first).toMatchObject({ underWay: true });
    expect(first?.pause.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(first?.resume?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(second?.underWay).toBe(false);
  });

  it('mark a pause on a blackout date, judged in the window’s zone, as skipped', () => {
    const window = aWindow({ except: ['2026-12-25', { from: '2026-12-31', to: '2027-01-01', note: 'year end' }] });

    const spans = nextSpans(window, new Date('2026-12-24T12:00:00Z'), 6);

    expect(spans.map((s) => [formatInZone(s.pause, 'Asia/Seoul').slice(0, 14), s.skipped])).toEqual([
      ['Fri 2026-12-25', 'blackout 2026-12-25'],
      ['Mon 2026-12-28', undefined],
      ['Tue 2026-12-29', undefined],
      ['Wed 2026-12-30', undefined],
      ['Thu 2026-12-31', 'blackout 2026-12-31..2027-01-01 (year end)'],
      ['Fri 2027-01-01', 'blackout 2026-12-31..2027-01-01 (year end)'],
    ]);
  });

  it('of a one-off window are its at() times in its zone, and none once it is over', () => {
    const window = aWindow({
      pause: undefined,
      resume: undefined,
      once: { pause: '2027-01-16T22:00', resume: '2027-01-17T06:00' },
    });

    expect(nextSpans(window, new Date('2027-01-01T00:00:00Z'), 5)).toEqual([
      { pause: new Date('2027-01-16T13:00:00Z'), resume: new Date('2027-01-16T21:00:00Z'), underWay: false },
    ]);
    // Midnight in Seoul: paused at 22:00, resuming at 06:00.
    expect(nextSpans(window, new Date('2027-01-16T15:00:00Z'), 5)[0]?.underWay).toBe(true);
    expect(nextSpans(window, new Date('2027-01-16T21:00:00Z'), 5)).toEqual([]);
  });
});

describe('a resume before its pause (a change of clocks)', () => {
  it('is found on the day New York skips 02:00–03:00: a 02:30 pause fires at 03:30, after the 03:00 resume', () => {
    const window = aWindow({ timezone: 'America/New_York', pause: 'cron(30 2 ? * * *)', resume: 'cron(0 3 ? * * *)' });

    const days = invertedDays(window, new Date('2027-01-01T00:00:00Z'));

    expect(days.map((d) => d.date)).toEqual(['2027-03-14']);
    expect(formatInZone(days[0]?.pause ?? new Date(0), 'America/New_York')).toBe('Sun 2027-03-14 03:30 UTC-04:00');
  });

  it('is not reported for an overnight window, whose resume comes first every day, nor for 09:00–18:00', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    expect(
      invertedDays(aWindow({ timezone: 'America/New_York', pause: 'cron(0 22 ? * * *)', resume: 'cron(0 6 ? * * *)' }), now),
    ).toEqual([]);
    expect(invertedDays(aWindow({ timezone: 'America/New_York' }), now)).toEqual([]);
  });
});

describe('a local date-time in a zone', () => {
  it('is the instant the clocks there show it, on either side of a change', () => {
    expect(instantOf('2027-01-16T22:00', 'Asia/Seoul').toISOString()).toBe('2027-01-16T13:00:00.000Z');
    expect(instantOf('2026-03-09T09:00:00', 'America/New_York').toISOString()).toBe('2026-03-09T13:00:00.000Z');
    expect(instantOf('2026-03-06T09:00', 'America/New_York').toISOString()).toBe('2026-03-06T14:00:00.000Z');
  });
});
