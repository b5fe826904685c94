import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { remoteNames } from '../../../cli/remote';
import { awsCronToCroner, formatInZone, nextWindows, type WindowParams, windowParamsOf } from '../../../cli/windows';

const weekdays = (timezone: string): WindowParams => ({
  name: 'weekday-business-hours',
  timezone,
  pauseCron: 'cron(0 9 ? * MON-FRI *)',
  resumeCron: 'cron(0 18 ? * MON-FRI *)',
  enabled: true,
});

describe('EventBridge Scheduler cron for croner', () => {
  it('adds the seconds, keeps the year and turns ? into any', () => {
    expect(awsCronToCroner('cron(0 9 ? * MON-FRI *)')).toBe('0 0 9 * * MON-FRI *');
    expect(awsCronToCroner('cron(30 18 1 * ? 2027)')).toBe('0 30 18 1 * * 2027');
  });

  it('reads day-of-week numbers as Scheduler does (1 = Sunday), and its last-weekday form', () => {
    const at = (cron: string) =>
      nextWindows({ ...weekdays('UTC'), pauseCron: cron }, new Date('2026-03-01T00:00:00Z'), 1)[0]?.pause.toISOString();

    expect(at('cron(0 9 ? * 2 *)')).toBe('2026-03-02T09:00:00.000Z'); // 2 = Monday
    expect(at('cron(0 9 ? * 6L *)')).toBe('2026-03-27T09:00:00.000Z'); // the last Friday of March
    expect(at('cron(0 9 ? * 2#2 *)')).toBe('2026-03-09T09:00:00.000Z'); // the second Monday
    expect(at('cron(0 9 1 * ? 2027)')).toBe('2027-01-01T09:00:00.000Z');
  });

  it('refuses what is not a six-field cron(), saying what it takes', () => {
    expect(() => awsCronToCroner('rate(5 minutes)')).toThrow(/not a cron\(…\) expression/);
    expect(() => awsCronToCroner('cron(0 9 * * MON-FRI)')).toThrow(/has 5 fields; EventBridge Scheduler cron\(\) has exactly 6/);
  });
});

describe('the next windows', () => {
  it('keep 09:00 New York time across the March DST change, so the UTC time moves one hour earlier', () => {
    const spans = nextWindows(weekdays('America/New_York'), new Date('2026-03-05T23:30:00Z'), 3);

    expect(spans.map((s) => formatInZone(s.pause, 'America/New_York'))).toEqual([
      'Fri 2026-03-06 09:00 UTC-05:00',
      'Mon 2026-03-09 09:00 UTC-04:00',
      'Tue 2026-03-10 09:00 UTC-04:00',
    ]);
    expect(spans.map((s) => formatInZone(s.pause, 'UTC'))).toEqual([
      'Fri 2026-03-06 14:00 UTC+00:00',
      'Mon 2026-03-09 13:00 UTC+00:00',
      'Tue 2026-03-10 13:00 UTC+00:00',
    ]);
    expect(spans.map((s) => formatInZone(s.pause, 'Asia/Seoul'))).toEqual([
      'Fri 2026-03-06 23:00 UTC+09:00',
      'Mon 2026-03-09 22:00 UTC+09:00',
      'Tue 2026-03-10 22:00 UTC+09:00',
    ]);
  });

  it('keep 18:00 Berlin time across the October change, one hour later in Seoul', () => {
    const spans = nextWindows(weekdays('Europe/Berlin'), new Date('2026-10-23T00:00:00Z'), 2);

    expect(spans.map((s) => s.resume && formatInZone(s.resume, 'Asia/Seoul'))).toEqual([
      'Sat 2026-10-24 01:00 UTC+09:00',
      'Tue 2026-10-27 02:00 UTC+09:00',
    ]);
  });

  it('start with the window under way, if its pause fired and its resume did not yet', () => {
    const [first, second] = nextWindows(weekdays('Asia/Seoul'), new Date('2026-11-30T03:00:00Z'), 2);

    expect(first).toMatchObject({ underWay: true });
    expect(first?.pause.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(first?.resume?.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(second?.underWay).toBe(false);
  });
});

describe('the window in serverless.yml', () => {
  it('is the default params with the stage’s own on top', () => {
    const document = {
      params: {
        default: {
          windowName: 'w',
          windowTimezone: 'Asia/Seoul',
          windowPauseCron: 'cron(0 9 ? * MON-FRI *)',
          windowResumeCron: 'cron(0 18 ? * MON-FRI *)',
          windowEnabled: true,
        },
        prod: { windowTimezone: 'Europe/Berlin', windowEnabled: false },
      },
    };

    expect(windowParamsOf(document, 'prod')).toMatchObject({ timezone: 'Europe/Berlin', enabled: false, name: 'w' });
    expect(windowParamsOf(document, 'dev')).toMatchObject({ timezone: 'Asia/Seoul', enabled: true });
    expect(() => windowParamsOf({ params: { default: {} } })).toThrow(/lack windowName, windowTimezone/);
  });

  it('reads the project’s own file, whose queue prefix the remote names follow', async () => {
    const document = load(await readFile(join(import.meta.dirname, '../../../serverless.yml'), 'utf8')) as {
      service: string;
      custom: { queuePrefix: string };
    };

    expect(windowParamsOf(document)).toMatchObject({ timezone: 'Asia/Seoul', pauseCron: 'cron(0 9 ? * MON-FRI *)' });
    const prefix = document.custom.queuePrefix.replace(/\$\{self:service\}/, document.service).replace(/\$\{sls:stage\}/, 'prod');
    expect(remoteNames('prod')).toEqual({
      incidentFunction: `${document.service}-prod-incident`,
      failuresQueue: `${prefix}-failures`,
      commandsQueue: `${prefix}-commands`,
      ledgerTable: `${prefix}-ledger`,
    });
  });
});
