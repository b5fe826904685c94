import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** config/windows.cjs as osls loads it at package time. */
const windowsConfig = createRequire(import.meta.url)('../../../config/windows.cjs') as {
  resourcesFor: (
    service: string,
    stage: string,
    path: string,
  ) => Promise<Record<string, { Properties: Record<string, unknown> }>>;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mp-windows-package-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const WINDOW = `windows:
  - name: weekday-business-hours
    timezone: Asia/Seoul
    pause: cron(0 9 ? * MON-FRI *)
    resume: cron(0 18 ? * MON-FRI *)
    scope: { all: true }
    reason: business hours
`;

describe('packaging a stage’s windows', () => {
  it('refuses an invalid file, naming the window and the field', async () => {
    const path = await fileWith('bad.yaml', WINDOW.replace('cron(0 9 ? * MON-FRI *)', 'cron(0 9 * * MON-FRI *)'));

    await expect(windowsConfig.resourcesFor('migration-pauser', 'ci', path)).rejects.toThrow(
      'window "weekday-business-hours": pause: cron(0 9 * * MON-FRI *) — day-of-month and day-of-week cannot both be set; use ? in one',
    );
  });

  it('refuses a stage without a windows file, saying every stage needs one', async () => {
    await expect(windowsConfig.resourcesFor('migration-pauser', 'nosuch', join(dir, 'windows.nosuch.yaml'))).rejects.toThrow(
      /no windows file .*windows\.nosuch\.yaml — every stage needs one/,
    );
  });

  it('refuses a window whose schedule names would pass EventBridge’s 64 characters', async () => {
    const path = await fileWith('long.yaml', WINDOW.replace('weekday-business-hours', 'weekday-business-hours-and-more'));

    await expect(windowsConfig.resourcesFor('migration-pauser-with-a-long-name', 'staging', path)).rejects.toThrow(
      /window "weekday-business-hours-and-more": name: the schedule name .* is longer than 64 characters/,
    );
  });

  it('makes a pause and a resume schedule per window, named after the service, stage and window', async () => {
    const path = await fileWith('good.yaml', WINDOW);

    const resources = await windowsConfig.resourcesFor('migration-pauser', 'ci', path);

    expect(Object.keys(resources).sort()).toEqual([
      'WindowWeekdayBusinessHoursPauseSchedule',
      'WindowWeekdayBusinessHoursResumeSchedule',
    ]);
    expect(resources.WindowWeekdayBusinessHoursPauseSchedule?.Properties).toMatchObject({
      Name: 'migration-pauser-ci-weekday-business-hours-pause',
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Asia/Seoul',
      State: 'ENABLED',
    });
  });
});
