import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');

let dir: string;

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // From the temporary project directory, whose config/ holds the stages' windows files.
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 30_000, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const STAGING = `windows:
  - name: us-business-hours
    timezone: America/New_York
    pause: cron(0 9 ? * MON-FRI *)
    resume: cron(0 18 ? * MON-FRI *)
    scope: { all: true }
    reason: business hours
    except: [2026-03-09]
  - name: dst-edge
    timezone: America/New_York
    pause: cron(30 2 ? * * *)
    resume: cron(0 3 ? * * *)
    scope: { providers: [huawei-drs] }
    reason: nightly
    enabled: false
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-windows-'));
  await mkdir(join(dir, 'config'));
  await writeFile(join(dir, 'config/windows.staging.yaml'), STAGING);
  await writeFile(join(dir, 'config/windows.broken.yaml'), STAGING.replace('cron(0 9 ? * MON-FRI *)', 'cron(0 9 * * MON-FRI *)'));
});

describe('migration-pauser windows', () => {
  it('lists each window’s next fires in its zone and the local one, with the DST change as a new offset, and marks a blackout', async () => {
    const { code, stdout } = await cli(
      { ...process.env, TZ: 'Asia/Seoul' },
      'windows',
      '--stage',
      'staging',
      '--count',
      '2',
      '--now',
      '2026-03-05T23:30:00Z',
    );

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /window us-business-hours: pause cron\(0 9 \? \* MON-FRI \*\), resume cron\(0 18 \? \* MON-FRI \*\), in America\/New_York/,
    );
    const [first = ''] = stdout.split('\n\n');
    const rows = first.split('\n').filter((l) => /^(Fri|Mon) 2026/.test(l));
    expect(rows).toEqual([
      expect.stringMatching(
        /^Fri 2026-03-06 09:00 UTC-05:00 +Fri 2026-03-06 18:00 UTC-05:00 +Fri 2026-03-06 23:00 UTC\+09:00 +Sat 2026-03-07 08:00 UTC\+09:00$/,
      ),
      expect.stringMatching(
        /^Mon 2026-03-09 09:00 UTC-04:00 +Mon 2026-03-09 18:00 UTC-04:00 +Mon 2026-03-09 22:00 UTC\+09:00 +Tue 2026-03-10 07:00 UTC\+09:00 +pause skipped: blackout 2026-03-09$/,
      ),
    ]);
    expect(stdout).toMatch(/window dst-edge: .*\nDISABLED \(enabled: false\)/);
  });

  it('warns on stderr of a day on which a resume fires before its pause', async () => {
    const { code, stderr } = await cli(process.env, 'windows', '--stage', 'staging', '--now', '2027-01-01T00:00:00Z');

    expect(code).toBe(0);
    expect(stderr).toMatch(
      /warning: window dst-edge: on 2027-03-14 the resume \(Sun 2027-03-14 03:00 UTC-04:00\) fires before the pause \(Sun 2027-03-14 03:30 UTC-04:00\)/,
    );
    expect(stderr).not.toMatch(/us-business-hours/);
  });

  it('prints JSON with each time as an instant, in the window’s zone and the local one', async () => {
    const json = await cli(
      process.env,
      'windows',
      '--stage',
      'staging',
      '--count',
      '1',
      '--tz',
      'UTC',
      '--now',
      '2026-11-02T00:00:00Z',
      '--json',
    );

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      stage: 'staging',
      localTimezone: 'UTC',
      windows: [
        {
          name: 'us-business-hours',
          enabled: true,
          fires: [{ underWay: false, pause: { utc: '2026-11-02T14:00:00.000Z', window: 'Mon 2026-11-02 09:00 UTC-05:00' } }],
        },
        { name: 'dst-edge', enabled: false },
      ],
    });
  });

  it('exits 2 for a stage without a windows file, naming the stages that have one, instead of using defaults', async () => {
    const nosuch = await cli(process.env, 'windows', '--stage', 'nosuch');

    expect(nosuch.code).toBe(2);
    expect(nosuch.stdout).toBe('');
    expect(nosuch.stderr).toMatch(
      /^stage nosuch has no windows file config\/windows\.nosuch\.yaml \(stages with windows: broken, staging\) — check --stage/,
    );
  });

  it('exits 2 for an invalid windows file, naming the window and the field, and for an unknown --tz', async () => {
    const broken = await cli(process.env, 'windows', '--stage', 'broken');
    const zone = await cli(process.env, 'windows', '--stage', 'staging', '--tz', 'Mars/Olympus');

    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      'window "us-business-hours": pause: cron(0 9 * * MON-FRI *) — day-of-month and day-of-week cannot both be set; use ? in one',
    );
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/--tz Mars\/Olympus is not an IANA time zone/);
  });
});

describe('migration-pauser simulator --json', () => {
  it('prints the simulator’s accounts and fake keys as one JSON line, and the CLI pauses against it', async () => {
    const child = spawn(process.execPath, [BIN, 'simulator', '--json'], { env: process.env });
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = await lines.next();
      const started = JSON.parse(String(first.value)) as {
        url: string;
        tasks: number;
        accounts: unknown;
        env: Record<string, string>;
      };
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await writeFile(join(dir, 'sim-accounts.json'), JSON.stringify(started.accounts));

      const planned = await cli(
        { ...process.env, ...started.env },
        'plan',
        'pause',
        '--all',
        '--reason',
        'look',
        '--json',
        '--accounts',
        join(dir, 'sim-accounts.json'),
        '--state-dir',
        join(dir, 'state'),
      );

      expect(planned.code).toBe(0);
      expect(JSON.parse(planned.stdout).targets).toBe(started.tasks);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
  });
});
