import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type Simulator, startSimulator } from '../../sim';
import { runCliIn } from '../helpers/cli-process';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

/** Runs the CLI as a separate process, as an operator would; never throws on a non-zero exit. */
const cli = (...args: string[]) => runCliIn(dir, env, args);

beforeAll(async () => {
  sim = await startSimulator({
    scenario: {
      ...generateScenario({ seed: 3, tasksPerProvider: 12, providers: ['ncp-object-migration', 'huawei-drs'] }),
      transitionMs: 30,
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-'));
  const accounts = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 }, rateLimit: { perSecond: 200, burst: 50 } });
  await writeFile(join(dir, 'accounts.json'), JSON.stringify(accounts));
  env = { ...process.env, ...sim.secretEnv(), NO_COLOR: '1' };
});

afterAll(async () => {
  await sim.close();
});

describe('the migration-pauser command', () => {
  it('plans without changing anything, and says what kind of pause each provider gets', async () => {
    const { code, stdout } = await cli('plan', 'pause', '--all', '--reason', 'look first');

    expect(code).toBe(0);
    expect(stdout).toMatch(/planned/);
    expect(stdout).toMatch(/DRS: batch pause/);
    expect(sim.requests.filter((r) => r.method === 'POST' && /pause/.test(r.path))).toEqual([]);
  });

  it('pauses in one process and resumes exactly that in another, through the on-disk ledger', async () => {
    const paused = await cli('pause', '--all', '--reason', 'window', '--json');
    expect(paused.code).toBe(0);
    const pause = JSON.parse(paused.stdout);
    expect(pause.totals.paused).toBeGreaterThan(0);

    const resumed = await cli('resume', '--all', '--reason', 'window over', '--json');

    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).totals).toEqual({ resumed: pause.totals.paused });
  });

  it('shows holds by source, keeps an incident’s tasks through a plain resume, and tells their history', async () => {
    const incident = await cli('pause', '--provider', 'huawei-drs', '--source', 'INC-9', '--reason', 'INC-9 lag', '--json');
    expect(incident.code).toBe(0);
    const paused = JSON.parse(incident.stdout).totals.paused;

    const status = await cli('status');
    expect(status.stdout).toMatch(/INC-9\s+huawei-drs\s+\d+/);
    const holds = JSON.parse((await cli('status', '--json')).stdout);
    expect(holds).toHaveLength(paused);

    const plain = JSON.parse((await cli('resume', '--all', '--reason', 'not mine', '--json')).stdout);
    expect(plain.targets).toBe(0);

    const key = `${holds[0].target.provider}/${holds[0].target.account}/${holds[0].target.taskId}`;
    const over = JSON.parse((await cli('resume', '--all', '--source', 'INC-9', '--reason', 'INC-9 over', '--json')).stdout);
    expect(over.totals).toEqual({ resumed: paused });

    const history = await cli('history', '--task', key);
    expect(history.code).toBe(0);
    expect(
      history.stdout
        .split('\n')
        .filter((l) => l.includes(key))
        .map((l) => /\b(paused|resumed)\b/.exec(l)?.[1]),
    ).toEqual(['paused', 'resumed', 'paused', 'resumed']);
  });

  it('exits 2 with every bad flag named in flag words, the nearest provider suggested', async () => {
    const { code, stderr } = await cli('pause', '--provider', 'huawei-dsr', '--task', '..');

    expect(code).toBe(2);
    expect(stderr).toMatch(/^ {2}--provider: unknown provider "huawei-dsr" \(did you mean huawei-drs\?\)$/m);
    expect(stderr).toMatch(/^ {2}--task "\.\.": must not contain \.\. or be \.$/m);
    expect(stderr).toMatch(/^ {2}--reason: a reason is required$/m);
    expect(stderr).not.toMatch(/scope\.|providers|taskIds/);
  });

  it('refuses a hold that would already be over (--until in the past) with exit 2, and asks the provider nothing', async () => {
    const before = sim.requests.length;
    const { code, stderr } = await cli('pause', '--all', '--yes', '--reason', 'late', '--until', '2020-01-01T00:00:00Z');

    expect(code).toBe(2);
    expect(stderr).toMatch(/--until: 2020-01-01T00:00:00Z is in the past/);
    expect(sim.requests.length).toBe(before);
  });

  it('exits 3 and names the missing variable when a secret cannot be found', async () => {
    const saved = env;
    env = { PATH: process.env.PATH };
    try {
      const { code, stdout } = await cli('pause', '--all', '--reason', 'no secrets', '--json');
      expect(code).toBe(3);
      expect(JSON.parse(stdout).accountFailures[0].reason).toMatch(/environment variable MP_SIM_\w+ is not set/);
    } finally {
      env = saved;
    }
  });

  it('exits 3 when the accounts file is invalid', async () => {
    await writeFile(join(dir, 'accounts.json.bad'), '{"accounts":[{"name":"x"}]}');
    const { code, stderr } = await (async () => {
      try {
        await run(process.execPath, [BIN, 'pause', '--all', '--reason', 'r', '--accounts', join(dir, 'accounts.json.bad')], {
          env,
        });
        return { code: 0, stderr: '' };
      } catch (error) {
        return error as { code: number; stderr: string };
      }
    })();

    expect(code).toBe(3);
    expect(stderr).toMatch(/accounts\.0\.provider/);
  });
});
