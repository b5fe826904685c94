import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
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
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const SERVERLESS = `service: migration-pauser
params:
  default:
    windowName: us-business-hours
    windowTimezone: America/New_York
    windowPauseCron: cron(0 9 ? * MON-FRI *)
    windowResumeCron: cron(0 18 ? * MON-FRI *)
    windowEnabled: true
  prod:
    windowEnabled: false
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-windows-'));
  await writeFile(join(dir, 'serverless.yml'), SERVERLESS);
});

describe('migration-pauser windows', () => {
  it('lists the next windows in the window’s zone and the local one, with the DST change as a new offset', async () => {
    const { code, stdout } = await cli(
      { ...process.env, TZ: 'Asia/Seoul' },
      'windows',
      '--config',
      join(dir, 'serverless.yml'),
      '--count',
      '2',
      '--now',
      '2026-03-05T23:30:00Z',
    );

    expect(code).toBe(0);
    expect(stdout).toMatch(
      /window us-business-hours: pause cron\(0 9 \? \* MON-FRI \*\), resume cron\(0 18 \? \* MON-FRI \*\), in America\/New_York/,
    );
    const rows = stdout.split('\n').filter((l) => /^(Fri|Mon) 2026/.test(l));
    expect(rows).toEqual([
      expect.stringMatching(
        /^Fri 2026-03-06 09:00 UTC-05:00 +Fri 2026-03-06 18:00 UTC-05:00 +Fri 2026-03-06 23:00 UTC\+09:00 +Sat 2026-03-07 08:00 UTC\+09:00$/,
      ),
      expect.stringMatching(
        /^Mon 2026-03-09 09:00 UTC-04:00 +Mon 2026-03-09 18:00 UTC-04:00 +Mon 2026-03-09 22:00 UTC\+09:00 +Tue 2026-03-10 07:00 UTC\+09:00$/,
      ),
    ]);
  });

  it('prints JSON with each time as an instant, applies the stage’s params and says when a window is disabled', async () => {
    const args = [
      'windows',
      '--config',
      join(dir, 'serverless.yml'),
      '--count',
      '1',
      '--tz',
      'UTC',
      '--now',
      '2026-11-02T00:00:00Z',
    ];
    const json = await cli(process.env, ...args, '--json');
    const prod = await cli(process.env, ...args, '--stage', 'prod');

    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      window: 'us-business-hours',
      localTimezone: 'UTC',
      enabled: true,
      windows: [{ underWay: false, pause: { utc: '2026-11-02T14:00:00.000Z', window: 'Mon 2026-11-02 09:00 UTC-05:00' } }],
    });
    expect(prod.stdout).toMatch(/DISABLED \(windowEnabled: false\)/);
  });

  it('exits 2 for an unknown --tz and 3 when there is no serverless.yml, saying what to pass', async () => {
    const zone = await cli(process.env, 'windows', '--config', join(dir, 'serverless.yml'), '--tz', 'Mars/Olympus');
    const missing = await cli(process.env, 'windows', '--config', join(dir, 'nope.yml'));

    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/--tz Mars\/Olympus is not an IANA time zone/);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot read .*nope\.yml \(ENOENT\) — .*--config/);
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
