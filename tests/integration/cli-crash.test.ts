import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderKey } from '../../lib/providers/types';
import { generateScenario, type Simulator, STATES, startSimulator } from '../../sim';

/**
 * The CLI as operators run it from cron, killed with SIGKILL mid-run and run twice at once on one state directory:
 * the embedded ledger must keep every hold, so nothing it paused is ever left paused without one.
 */

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');
const PROVIDERS: ProviderKey[] = ['ncp-object-migration', 'huawei-oms', 'huawei-drs'];

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function fleet(tasksPerProvider: number): Promise<{ sim: Simulator; dir: string; env: NodeJS.ProcessEnv; args: string[] }> {
  const started = await startSimulator({
    scenario: { ...generateScenario({ seed: 11, tasksPerProvider, providers: PROVIDERS }), transitionMs: 150, latencyMs: 10 },
  });
  sim = started;
  const dir = await mkdtemp(join(tmpdir(), 'mp-cli-crash-'));
  // Slow on purpose: a pause of the whole fleet takes seconds, so there is a middle to be killed in.
  const accounts = started.accountsFile({
    confirm: { intervalMs: 50, deadlineMs: 5_000 },
    rateLimit: { perSecond: 25, burst: 5 },
  });
  await writeFile(join(dir, 'accounts.json'), JSON.stringify(accounts));
  return {
    sim: started,
    dir,
    env: { ...process.env, ...started.secretEnv(), NO_COLOR: '1' },
    args: ['--accounts', join(dir, 'accounts.json'), '--state-dir', join(dir, 'state'), '--yes'],
  };
}

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const isPaused = (s: Simulator, provider: ProviderKey, id: string) =>
  STATES[provider].paused.includes(s.task(provider, id)?.state ?? '');

/** Tasks the simulator accepted a pause (or stop) for. */
const pausedBy = (s: Simulator) =>
  s.applied.filter((a) => STATES[a.provider].paused.includes(a.toward)).map((a) => ({ provider: a.provider, id: a.taskId }));

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the CLI killed with SIGKILL in the middle of pause --all', () => {
  it('leaves a hold on everything it paused, so resume --all resumes every one of them', async () => {
    const f = await fleet(60);
    const child = spawn(process.execPath, [BIN, 'pause', '--all', '--reason', 'crash test', ...f.args], {
      env: f.env,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await until(() => pausedBy(f.sim).length >= 12, 20_000);
    child.kill('SIGKILL');
    await exited;
    const paused = pausedBy(f.sim);
    const running = generateScenario({ seed: 11, tasksPerProvider: 60, providers: PROVIDERS }).tasks.filter((t) =>
      STATES[t.provider].running.includes(t.state),
    );
    // Killed in the middle: some pauses were accepted, not all of them.
    expect(paused.length).toBeGreaterThanOrEqual(12);
    expect(paused.length).toBeLessThan(running.length);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the accepted pauses take effect

    // What the killed run left: holds confirmed from the providers by status, and unconfirmed ones it shows apart.
    const status = await cli(f.env, 'status', ...f.args);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/hold\(s\) are unconfirmed/);
    const [first] = paused;
    const accountOf = (provider: ProviderKey) => f.sim.accountsFile().accounts.find((a) => a.provider === provider)?.name;
    const history = await cli(
      f.env,
      'history',
      '--task',
      `${first?.provider}/${accountOf(first?.provider ?? 'huawei-oms')}/${first?.id}`,
      ...f.args,
    );
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/held now by:\s+source\s+hold[\s\S]*manual\s+(held|unconfirmed)/);
    const resume = await cli(f.env, 'resume', '--all', '--reason', 'after the crash', ...f.args);

    expect(resume.stderr).not.toMatch(/Error:|\n\s+at /);
    expect(paused.filter(({ provider, id }) => isPaused(f.sim, provider, id))).toEqual([]);
    const after = await cli(f.env, 'status', '--json', ...f.args);
    expect(JSON.parse(after.stdout)).toEqual([]);
  }, 60_000);
});

describe('two CLI processes on one state directory', () => {
  it('keeps the holds of both', async () => {
    const f = await fleet(30);

    const [a, b] = await Promise.all([
      cli(f.env, 'pause', '--provider', 'huawei-oms', '--source', 'INC-A', '--reason', 'a', ...f.args),
      cli(f.env, 'pause', '--provider', 'ncp-object-migration', '--source', 'INC-B', '--reason', 'b', ...f.args),
    ]);

    expect([a.code, b.code]).toEqual([0, 0]);
    const holds = JSON.parse((await cli(f.env, 'status', '--json', ...f.args)).stdout) as {
      source: string;
      target: { taskId: string };
    }[];
    const held = (source: string) =>
      holds
        .filter((h) => h.source === source)
        .map((h) => h.target.taskId)
        .sort();
    const pausedOf = (provider: ProviderKey) =>
      pausedBy(f.sim)
        .filter((p) => p.provider === provider)
        .map((p) => p.id)
        .sort();
    expect(pausedOf('huawei-oms').length).toBeGreaterThan(0);
    expect(held('INC-A')).toEqual(pausedOf('huawei-oms'));
    expect(held('INC-B')).toEqual(pausedOf('ncp-object-migration'));
  }, 60_000);
});
