import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWindowsFile, parseWindowsFile, parseWindowsText, WindowsFileError } from '../../../lib/windows/load';

const CONFIG = join(import.meta.dirname, '../../../config');

const WEEKDAYS = `
windows:
  - name: weekday-business-hours
    timezone: Asia/Seoul
    pause: cron(0 9 ? * MON-FRI *)
    resume: cron(0 18 ? * MON-FRI *)
    scope: { all: true }
    reason: business hours
`;

/** The problems a windows text is rejected with. */
function problemsOf(text: string): string[] {
  try {
    parseWindowsText(text, 'config/windows.test.yaml');
  } catch (error) {
    if (error instanceof WindowsFileError) return error.problems;
    throw error;
  }
  return [];
}

describe('a windows file', () => {
  it('gives each window its defaults: enabled, no blackout dates', () => {
    expect(parseWindowsText(WEEKDAYS, 'x').windows).toEqual([
      expect.objectContaining({ name: 'weekday-business-hours', enabled: true, except: [] }),
    ]);
  });

  it('keeps blackout dates as the dates written (YAML would make them timestamps)', () => {
    const text = `${WEEKDAYS}    except: [2026-12-25, { from: 2026-12-31, to: 2027-01-02 }]\n`;
    expect(parseWindowsText(text, 'x').windows[0]?.except).toEqual(['2026-12-25', { from: '2026-12-31', to: '2027-01-02' }]);
  });

  it('names the window and the field of every problem, all at once', () => {
    const text = WEEKDAYS.replace('cron(0 9 ? * MON-FRI *)', 'cron(0 9 * * MON-FRI *)')
      .replace('Asia/Seoul', 'Asia/Sole')
      .replace('{ all: true }', '{ all: true, tags: [db] }');

    expect(problemsOf(text)).toEqual([
      'window "weekday-business-hours": timezone: is not an IANA time zone (e.g. Asia/Seoul, Europe/Berlin, UTC)',
      'window "weekday-business-hours": pause: cron(0 9 * * MON-FRI *) — day-of-month and day-of-week cannot both be set; use ? in one',
      expect.stringMatching(/^window "weekday-business-hours": scope: Unrecognized key: "tags"/),
    ]);
  });

  it('refuses two windows of one name: each is the source of its holds', () => {
    const second = WEEKDAYS.split('\n').slice(2).join('\n');
    expect(problemsOf(`${WEEKDAYS}${second}`)).toEqual([
      'window "weekday-business-hours": name: two windows are named weekday-business-hours; names must be unique',
    ]);
  });

  it('refuses a window that is both recurring and once, or neither, or half of one', () => {
    expect(problemsOf(`${WEEKDAYS}    once: { pause: 2027-01-16T22:00, resume: 2027-01-17T06:00 }\n`)).toEqual([
      'window "weekday-business-hours": once: a window is recurring (pause, resume) or once, not both',
    ]);
    expect(problemsOf(WEEKDAYS.replace(/ {4}resume: .*\n/, ''))).toEqual([
      'window "weekday-business-hours": resume: a recurring window needs both pause and resume',
    ]);
    expect(problemsOf(WEEKDAYS.replace(/ {4}(pause|resume): .*\n/g, ''))).toEqual([
      'window "weekday-business-hours": pause: give pause and resume crons, or once: { pause, resume }',
    ]);
  });

  it('refuses a one-off window that resumes before it pauses, or a time with an offset', () => {
    const once = (pause: string, resume: string) =>
      WEEKDAYS.replace(/ {4}(pause|resume): .*\n/g, '').concat(`    once: { pause: "${pause}", resume: "${resume}" }\n`);

    expect(problemsOf(once('2027-01-17T06:00', '2027-01-16T22:00'))).toEqual([
      'window "weekday-business-hours": once.resume: resume is not after pause',
    ]);
    expect(problemsOf(once('2027-01-16T22:00+09:00', '2027-01-17T06:00'))).toEqual([
      'window "weekday-business-hours": once.pause: is not a local date-time written YYYY-MM-DDTHH:MM (no offset: the window’s timezone applies)',
    ]);
  });

  it('refuses an impossible blackout date and a range that ends before it starts', () => {
    expect(problemsOf(`${WEEKDAYS}    except: [2026-02-30]\n`)).toEqual([
      expect.stringMatching(/^window "weekday-business-hours": except\.0: /),
    ]);
    expect(problemsOf(`${WEEKDAYS}    except: [{ from: 2027-01-02, to: 2026-12-31 }]\n`)).toEqual([
      expect.stringMatching(/^window "weekday-business-hours": except\.0/),
    ]);
  });

  it('names a window by its name, or by its position when it has none', () => {
    expect(problemsOf(WEEKDAYS.replace('name: weekday-business-hours', 'name: "bad name"'))).toEqual([
      expect.stringMatching(/^window "bad name": name: letters, digits/),
    ]);
    expect(problemsOf(WEEKDAYS.replace('name: weekday-business-hours', 'name: expired-holds'))).toEqual([
      'window "expired-holds": name: expired-holds is the sweep of expired holds; choose another name',
    ]);
    expect(problemsOf(WEEKDAYS.replace('- name: weekday-business-hours\n    ', '- '))).toEqual([
      expect.stringMatching(/^window "#1": name: /),
    ]);
  });

  it('in this repository validates, for every stage', async () => {
    const files = (await readdir(CONFIG)).filter((f) => /^windows\..+\.yaml$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['windows.local.yaml', 'windows.ci.yaml']));
    for (const file of files) await expect(loadWindowsFile(join(CONFIG, file)), file).resolves.toBeDefined();
  });

  it('of the default stage keeps the 09:00 pause and 18:00 resume, Monday to Friday, Seoul time', async () => {
    const { windows } = await loadWindowsFile(join(CONFIG, 'windows.local.yaml'));
    expect(windows).toEqual([
      expect.objectContaining({
        name: 'weekday-business-hours',
        timezone: 'Asia/Seoul',
        pause: 'cron(0 9 ? * MON-FRI *)',
        resume: 'cron(0 18 ? * MON-FRI *)',
        scope: { all: true },
        enabled: true,
      }),
    ]);
  });
});

describe('a hostile windows document', () => {
  it('is rejected with the problems named, never with any other error', () => {
    const windowLike = fc.record(
      {
        name: fc.oneof(fc.string(), fc.constant('w')),
        timezone: fc.oneof(fc.string(), fc.constantFrom('UTC', 'Asia/Seoul')),
        pause: fc.oneof(
          fc.string(),
          fc.string().map((s) => `cron(${s})`),
        ),
        resume: fc.string(),
        once: fc.anything(),
        scope: fc.anything(),
        reason: fc.anything(),
        except: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ windows: fc.array(windowLike, { maxLength: 3 }) })), (document) => {
        try {
          parseWindowsFile(document, 'hostile.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(WindowsFileError);
          expect((error as WindowsFileError).problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
