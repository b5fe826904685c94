import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type Simulator, startSimulator } from '../../sim';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

/** The CLI as a separate process, as an operator would run it; never throws on a non-zero exit. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn(dir, env, ...args);
}

/** The CLI with the accounts file and state directory under `home`. */
async function cliIn(home: string, environment: NodeJS.ProcessEnv, ...args: string[]) {
  const state = ['--accounts', join(home, 'accounts.json'), '--state-dir', join(home, 'state')];
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, ...state], { env: environment, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const pauseCalls = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pause') && r.status === 200).length;
const failureLines = async () =>
  (await readFile(join(dir, 'state', 'failures.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { kind: string; commandId: string; target?: { taskId: string } });

beforeAll(async () => {
  sim = await startSimulator({
    scenario: { ...generateScenario({ seed: 5, tasksPerProvider: 6, providers: ['ncp-object-migration'] }), transitionMs: 20 },
  });
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-redrive-'));
  const accounts = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 }, rateLimit: { perSecond: 200, burst: 50 } });
  await writeFile(join(dir, 'accounts.json'), JSON.stringify(accounts));
  env = { ...process.env, ...sim.secretEnv(), NO_COLOR: '1' };
});

afterAll(async () => {
  await sim.close();
});

describe('migration-pauser redrive in local mode', () => {
  it('shows the failed targets as commands on a dry run, then runs them and removes the failures they replace', async () => {
    // Prepare: the provider refuses two pauses (400: not retried), so two targets land in the failures file.
    sim.inject({ provider: 'ncp-object-migration', method: 'POST', pathIncludes: '/pause', kind: 'http', status: 400, times: 2 });
    const paused = await cli('pause', '--all', '--source', 'INC-7', '--reason', 'INC-7 lag', '--json');
    expect(paused.code).toBe(1);
    const { commandId, totals } = JSON.parse(paused.stdout);
    expect(totals.failed).toBe(2);
    expect(paused.stderr).toMatch(new RegExp(`migration-pauser redrive --command ${commandId}.* --dry-run`));
    sim.clearFaults();
    const before = pauseCalls();

    // Act
    const dry = await cli('redrive', '--command', commandId, '--dry-run');
    const afterDry = { calls: pauseCalls(), lines: await failureLines() };
    const redriven = await cli('redrive', '--command', commandId, '--json');

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: nothing sent, nothing removed/);
    expect(dry.stdout).toMatch(/2 failures looked at, would move 2 into 1 commands/);
    expect(afterDry.calls).toBe(before);
    expect(afterDry.lines.filter((l) => l.kind === 'target-failed')).toHaveLength(2);
    expect(redriven.code).toBe(0);
    const result = JSON.parse(redriven.stdout);
    expect(result).toMatchObject({ dryRun: false, received: 2, moved: 2, kept: 0 });
    expect(result.runs[0].totals).toEqual({ paused: 2 });
    expect(pauseCalls()).toBe(before + 2);
    expect(await failureLines()).toEqual([]);
  });

  it('keeps failures of other commands and providers, and says there is nothing to do when nothing matches', async () => {
    const line = JSON.stringify({ kind: 'account-failed', commandId: 'x', reason: 'listing failed' });
    await writeFile(join(dir, 'state', 'failures.jsonl'), `${line}\n`);

    const { code, stdout } = await cli('redrive', '--provider', 'huawei-drs');

    expect(code).toBe(0);
    expect(stdout).toMatch(/1 failures looked at, moved 0 into 0 commands, 1 kept/);
    expect(await failureLines()).toHaveLength(1);
  });

  it('exits 2 naming the flag when the filter is not valid', async () => {
    const bad = await cli('redrive', '--command', 'not-a-uuid');
    const two = await cli('redrive', '--provider', 'huawei-drs', '--provider', 'huawei-oms');

    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--command: /);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/at most one --provider/);
  });
});

describe('a redriven pause holds under the source of the pause it repeats', () => {
  it('pause --source INC-1 with failures, redrive, resume --source INC-1: nothing stays held or paused', async () => {
    // Prepare: four running policies; the provider refuses two of the pauses (400: not retried).
    const policies = ['photos', 'logs', 'videos', 'backups'];
    const own = await startSimulator({
      scenario: { accounts: [NCP_MAIN], tasks: policies.map((p) => ncpPolicy(p, 'STARTED')), transitionMs: 20 },
    });
    const home = await mkdtemp(join(tmpdir(), 'mp-cli-redrive-roundtrip-'));
    try {
      const accounts = own.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 } });
      await writeFile(join(home, 'accounts.json'), JSON.stringify(accounts));
      const ownEnv = { ...process.env, ...own.secretEnv(), NO_COLOR: '1', USER: 'oncall-kim' };
      const mp = (...args: string[]) => cliIn(home, ownEnv, ...args);
      own.inject({
        provider: 'ncp-object-migration',
        method: 'POST',
        pathIncludes: '/pause',
        kind: 'http',
        status: 400,
        times: 2,
      });
      const paused = await mp(
        'pause',
        '--all',
        '--source',
        'INC-1',
        '--reason',
        'INC-1 lag',
        '--requested-by',
        'oncall-lee',
        '--json',
      );
      expect(JSON.parse(paused.stdout).totals).toEqual({ paused: 2, failed: 2 });
      own.clearFaults();

      // Act
      const redriven = await mp('redrive', '--json');
      const heldAfterRedrive = JSON.parse((await mp('status', '--json')).stdout) as { source: string; requestedBy: string }[];
      const resumed = await mp('resume', '--all', '--source', 'INC-1', '--reason', 'INC-1 over', '--json');
      const status = await mp('status', '--json');

      // Assess
      expect(JSON.parse(redriven.stdout)).toMatchObject({ moved: 2, runs: [{ totals: { paused: 2 } }] });
      expect(heldAfterRedrive.map((h) => [h.source, h.requestedBy])).toEqual(Array(4).fill(['INC-1', 'oncall-lee']));
      expect(JSON.parse(resumed.stdout).totals).toEqual({ resumed: 4 });
      expect(JSON.parse(status.stdout)).toEqual([]);
      for (const policy of policies) expect(own.task('ncp-object-migration', policy)?.state, policy).not.toMatch(/PAUS/);
    } finally {
      await own.close();
    }
  });
});
