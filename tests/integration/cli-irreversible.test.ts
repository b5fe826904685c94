import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type Simulator, startSimulator } from '../../sim';
import { runCliIn } from '../helpers/cli-process';

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;
let imports: string[];

/** Runs the CLI as a separate process, as an operator would; never throws on a non-zero exit. */
const cli = (...args: string[]) => runCliIn(dir, env, args);

beforeAll(async () => {
  const scenario = generateScenario({ seed: 5, tasksPerProvider: 14, providers: ['huawei-dcs'] });
  // Every backup-file import running, so that a pause would stop it.
  for (const task of scenario.tasks) if (task.migrationType === 'backupfile_import') task.state = 'FULLMIGRATING';
  imports = scenario.tasks.filter((t) => t.migrationType === 'backupfile_import').map((t) => t.id);
  sim = await startSimulator({ scenario: { ...scenario, transitionMs: 20 } });
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-irreversible-'));
  const accounts = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 }, rateLimit: { perSecond: 200, burst: 50 } });
  await writeFile(join(dir, 'accounts.json'), JSON.stringify(accounts));
  env = { ...process.env, ...sim.secretEnv(), NO_COLOR: '1' };
});

afterAll(async () => {
  await sim.close();
});

describe('stops that can never be undone', () => {
  it('are refused by default, planned by name when allowed, held apart, and released by hand with an audit', async () => {
    expect(imports.length).toBeGreaterThan(0);
    const [first = ''] = imports;
    const key = (id: string) => `huawei-dcs/${sim.accountsFile().accounts[0]?.name}/${id}`;

    // Without the flag: reported unsupported, left running.
    const refused = await cli('pause', '--all', '--yes', '--source', 'INC-5', '--reason', 'INC-5');
    expect(refused.code).toBe(0);
    expect(refused.stdout).toMatch(/unsupported/);
    expect(sim.task('huawei-dcs', first)?.state).toBe('FULLMIGRATING');
    await cli('resume', '--all', '--source', 'INC-5', '--reason', 'over');

    // The plan with the flag names them.
    const plan = await cli('plan', 'pause', '--all', '--allow-irreversible', '--reason', 'look');
    expect(plan.stdout).toMatch(/cannot be resumed \(stopped for good if you pause\):/);
    for (const id of imports) expect(plan.stdout).toContain(key(id));

    const paused = await cli('pause', '--all', '--yes', '--allow-irreversible', '--source', 'INC-6', '--reason', 'INC-6');
    expect(paused.code).toBe(0);
    expect(sim.task('huawei-dcs', first)?.state).toBe('TERMINATED');

    const status = await cli('status');
    expect(status.stdout).toMatch(new RegExp(`${imports.length} hold\\(s\\) can never be resumed`));
    expect(status.stdout).toContain(`never resumable  ${key(first)}  INC-6`);

    // The resume leaves them paused: exit 1, each named.
    const resume = await cli('resume', '--all', '--source', 'INC-6', '--reason', 'over');
    expect(resume.code).toBe(1);
    expect(resume.stdout).toMatch(/not resumed:/);
    expect(resume.stdout).toContain(`${key(first)}: unsupported`);

    // Someone restarts the import by hand; the hold ends without a provider call, on the record.
    const calls = sim.requests.length;
    const missing = await cli('release', '--task', key(first), '--source', 'nobody', '--reason', 'x');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/has no hold of nobody \(held by INC-6\)/);
    const released = await cli(
      'release',
      '--task',
      key(first),
      '--source',
      'INC-6',
      '--reason',
      'restarted by hand',
      '--requested-by',
      'dba',
    );
    expect(released.code).toBe(0);
    expect(sim.requests.length).toBe(calls);
    const history = await cli('history', '--task', key(first));
    expect(history.stdout).toMatch(/hold of INC-6 released by dba without a provider call: restarted by hand/);
    expect(history.stdout).toMatch(/held now by: nobody/);
    const bad = await cli('release', '--task', 'nonsense', '--reason', '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--task/);
    expect(bad.stderr).toMatch(/--source/);
  }, 60_000); // ten CLI processes: 10–15 s on an idle machine, over 30 s on a loaded shared one (main's too)
});
