import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type Simulator, startSimulator } from '../../sim';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');
const SCRIPT = '/usr/bin/script';
const COMMANDS = ['plan', 'pause', 'resume', 'status', 'history', 'release', 'redrive', 'windows', 'simulator', 'demo'];

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a separate process with pipes, as a script or CI job runs it; never throws on a non-zero exit. */
async function cli(...args: string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, ...stateArgs()], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as Ran;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The CLI on a real pseudo-terminal (util-linux `script`), with `typed` as what the operator types. */
function cliOnTerminal(typed: string, ...args: string[]): Promise<Ran> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const line = [process.execPath, BIN, ...args, ...stateArgs()].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, ['-qec', line, '/dev/null'], { env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
    child.stdin.end(typed);
  });
}

function stateArgs(): string[] {
  return ['--accounts', join(dir, 'accounts.json'), '--state-dir', join(dir, 'state')];
}

const pauseCalls = () => sim.requests.filter((r) => r.method !== 'GET' && /pause|stop/i.test(r.path)).length;

beforeAll(async () => {
  sim = await startSimulator({
    scenario: {
      ...generateScenario({ seed: 8, tasksPerProvider: 6, providers: ['ncp-object-migration', 'huawei-drs'] }),
      transitionMs: 30,
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-operator-'));
  const accounts = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 }, rateLimit: { perSecond: 200, burst: 50 } });
  await writeFile(join(dir, 'accounts.json'), JSON.stringify(accounts));
  env = { ...process.env, ...sim.secretEnv(), NO_COLOR: '1' };
});

afterAll(async () => {
  await sim.close();
});

describe('the migration-pauser command for an operator', () => {
  it('npm start’s demo pauses and resumes the whole simulated fleet, leaves backup imports running, and exits 0', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'demo', '--json'], { env, timeout: 60_000 });
    const demo = JSON.parse(stdout) as {
      runs: { action: string; totals: Record<string, number> }[];
      failures: number;
      simulatedRefusals: number;
      unexpectedFailures: string[];
    };
    const [pause, resume] = demo.runs;

    expect(pause?.action).toBe('pause');
    expect(pause?.totals.paused).toBeGreaterThan(0);
    // Every backup import is refused, not stopped for good; every task the pause paused is resumed.
    expect(pause?.totals.unsupported).toBeGreaterThan(0);
    expect(resume?.totals.resumed).toBe(pause?.totals.paused);
    expect(resume?.totals.unsupported).toBeUndefined();
    expect(demo.failures).toBe(pause?.totals.failed ?? 0);
    // Every failure is one the simulator was told to make; none is real.
    expect(pause?.totals.failed).toBeGreaterThan(0);
    expect(demo.simulatedRefusals).toBeGreaterThanOrEqual(pause?.totals.failed ?? 0);
    expect(demo.unexpectedFailures).toEqual([]);
  });

  it('stops with exit 3 on a hold it cannot read, names it, and leaves the ledger as it was', async () => {
    const state = await mkdtemp(join(tmpdir(), 'mp-malformed-'));
    const ledger = JSON.stringify({
      version: 1,
      holds: {
        'huawei-drs/a/t1|INC-7': {
          key: 'huawei-drs/a/t1',
          source: 'INC-7',
          commandId: 'c-1',
          pausedAt: 'yesterday',
          target: { provider: 'huawei-drs', account: 'a', taskId: 't1' },
        },
      },
      outcomes: {},
    });
    await writeFile(join(state, 'ledger.json'), ledger);
    const ran = await run(process.execPath, [BIN, 'status', '--state-dir', state], { env }).catch((e: Ran) => e);

    expect(ran).toMatchObject({ code: 3 });
    expect(ran.stderr).toMatch(/the hold "huawei-drs\/a\/t1\|INC-7" is malformed .* it was not dropped/);
    expect(ran.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readFile(join(state, 'ledger.json'), 'utf8')).toBe(ledger);
  });

  it.each(COMMANDS)('%s --help shows its own usage, an example and the exit codes, and exits 0', async (command) => {
    const { code, stdout } = await cli(command, '--help');

    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: migration-pauser ${command}\\b`));
    expect(stdout).toMatch(new RegExp(`example:\\n  migration-pauser ${command}\\b`));
    expect(stdout).toMatch(/exit codes: 0/);
  });

  it('documents the exit codes and the absence of colour in the general help', async () => {
    const { code, stdout } = await cli('--help');

    expect(code).toBe(0);
    expect(stdout).toMatch(/exit codes: 0 all good, 1 some targets failed \(or a resume left some paused: named\), 2 bad input/);
    expect(stdout).toMatch(/3 configuration, credentials or connection problem/);
    expect(stdout).toMatch(/NO_COLOR/);
  });

  it.runIf(existsSync(SCRIPT))(
    'on a terminal, asks how many tasks in how many accounts and pauses nothing when told no',
    async () => {
      // Prepare
      const planned = JSON.parse((await cli('plan', 'pause', '--all', '--reason', 'count', '--json')).stdout).totals.planned;
      const before = pauseCalls();

      // Act
      const { code, stdout } = await cliOnTerminal('n\n', 'pause', '--all', '--reason', 'INC-8 maybe');

      // Assess
      expect(code).toBe(2);
      expect(planned).toBeGreaterThan(0);
      expect(stdout).toContain(`Pause every migration task: ${planned} running tasks in 2 accounts? [y/N]`);
      expect(stdout).toMatch(/not confirmed: nothing was paused/);
      expect(pauseCalls()).toBe(before);
    },
  );

  it.runIf(existsSync(SCRIPT))('on a terminal, pauses everything after a yes, and --yes does not ask', async () => {
    const before = pauseCalls();
    const confirmed = await cliOnTerminal('y\n', 'pause', '--all', '--reason', 'INC-8', '--source', 'INC-8', '--json');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toMatch(/\[y\/N\]/);
    expect(confirmed.stdout).toMatch(/"paused": \d+/);
    expect(pauseCalls()).toBeGreaterThan(before);

    const unasked = await cliOnTerminal('', 'resume', '--all', '--reason', 'INC-8 over', '--source', 'INC-8', '--yes');
    const again = await cliOnTerminal('', 'pause', '--all', '--reason', 'INC-8 again', '--source', 'INC-8', '--yes');

    expect(unasked.code).toBe(0);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/\[y\/N\]/);
    expect(again.stdout).toMatch(/paused/);
    await cli('resume', '--all', '--reason', 'INC-8 over', '--source', 'INC-8');
  });

  it('off a terminal (a script, CI), pauses everything without asking, and writes no colour codes', async () => {
    const paused = await cli('pause', '--all', '--reason', 'CHG-8 scripted', '--source', 'CHG-8');
    const status = await cli('status');
    const resumed = await cli('resume', '--all', '--reason', 'CHG-8 over', '--source', 'CHG-8');

    expect(paused.code).toBe(0);
    expect(paused.stderr).not.toMatch(/\[y\/N\]/);
    expect(paused.stdout).toMatch(/paused/);
    expect(status.stdout).toMatch(/CHG-8/);
    expect(resumed.code).toBe(0);
    for (const output of [paused, status, resumed].flatMap((r) => [r.stdout, r.stderr])) {
      expect(output.includes('\u001b['), 'an ANSI escape sequence').toBe(false);
    }
  });

  it('still refuses a pause of everything without a reason, before asking anything', async () => {
    const { code, stderr } = await cli('pause', '--all', '--yes');

    expect(code).toBe(2);
    expect(stderr).toMatch(/reason: a reason is required/);
  });
});
