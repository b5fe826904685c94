import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, type Simulator, startSimulator } from '../../sim';

// The CLI as the on-call engineer meets it at 3 a.m.: a separate process against the simulator (127.0.0.1),
// asserting what is printed and the exit code.
const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with exactly these arguments (no flags added), in `dir`; never throws on a non-zero exit. */
async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...env, ...extraEnv },
      cwd: dir,
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as Ran;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const local = () => ['--accounts', join(dir, 'accounts.json'), '--state-dir', join(dir, 'state')];

/** A task the simulator has running, as provider/account/id. */
async function aRunningTaskKey(): Promise<string> {
  const plan = JSON.parse((await cli(['plan', 'pause', '--all', '--reason', 'look', '--json', ...local()])).stdout) as {
    plan: { provider: string; account: string; taskId: string; decision: string }[];
  };
  const target = plan.plan.find((t) => t.decision === 'will pause');
  if (!target) throw new Error('the scenario has no running task');
  return `${target.provider}/${target.account}/${target.taskId}`;
}

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
async function aClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  sim = await startSimulator({
    scenario: {
      ...generateScenario({
        seed: 11,
        tasksPerProvider: 8,
        refusingPerProvider: 1,
        providers: ['ncp-object-migration', 'huawei-drs'],
      }),
      transitionMs: 30,
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-on-call-'));
  const accounts = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 }, rateLimit: { perSecond: 200, burst: 50 } });
  await writeFile(join(dir, 'accounts.json'), JSON.stringify(accounts));
  env = { PATH: process.env.PATH, HOME: process.env.HOME, ...sim.secretEnv(), NO_COLOR: '1' };
});

afterAll(async () => {
  await sim.close();
});

describe('errors in flag words', () => {
  it('refuses an unknown flag in three lines, suggesting the nearest flag of that command', async () => {
    const { code, stdout, stderr } = await cli(['pause', '--all', '--resaon', 'INC-1', ...local()]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      'migration-pauser pause: unknown flag --resaon (did you mean --reason?)',
      'usage: migration-pauser pause [scope] --reason TEXT [options]',
      'more: migration-pauser pause --help',
    ]);
  });

  it('says that a command does not take another command’s flag, rather than suggest a look-alike', async () => {
    const { code, stderr } = await cli(['status', '--provider', 'huawei-drs', ...local()]);

    expect(code).toBe(2);
    expect(stderr).toMatch(/^migration-pauser status: status does not take --provider$/m);
    expect(stderr).not.toMatch(/did you mean/);
  });

  it('suggests the nearest command for a mistyped one', async () => {
    const { code, stderr } = await cli(['pasue', '--all']);

    expect(code).toBe(2);
    expect(stderr).toMatch(/^migration-pauser: unknown command "pasue" \(did you mean pause\?\)$/m);
    expect(stderr.trimEnd().split('\n')).toHaveLength(3);
  });

  it('names a flag given without its value, and an unknown outcome with the nearest one', async () => {
    const noValue = await cli(['resume', '--all', '--reason', ...local()]);
    const outcome = await cli(['history', '--command', 'c-1', '--outcome', 'faild', ...local()]);

    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toMatch(/--reason needs a value, not the flag --accounts/);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--outcome: unknown outcome "faild" \(did you mean failed\?\)/);
  });

  it('--version prints the version and exits 0', async () => {
    const { code, stdout } = await cli(['--version']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^migration-pauser \d+\.\d+\.\d+ /);
  });
});

// First of the runs that act: the simulator's refusals happen once, on the first pause of each refusing task.
describe('history', () => {
  it('filters by --outcome and shows each task’s name and error class', async () => {
    // Prepare: one task per provider refuses its pause.
    const paused = JSON.parse(
      (await cli(['pause', '--all', '--source', 'H-1', '--reason', 'history', '--json', ...local()])).stdout,
    ) as { commandId: string; outcomes: { target: string; name: string; outcome: string; errorClass?: string }[] };
    const failed = paused.outcomes.filter((o) => o.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);

    // Act
    const { code, stdout } = await cli(['history', '--command', paused.commandId, '--outcome', 'failed', ...local()]);
    await cli(['resume', '--all', '--source', 'H-1', '--reason', 'history over', ...local()]);

    // Assess
    expect(code).toBe(0);
    const [header = '', ...rows] = stdout.trimEnd().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['when', 'target', 'name', 'outcome', 'error', 'command', 'why']);
    expect(rows).toHaveLength(failed.length);
    for (const o of failed) {
      const row = rows.find((r) => r.includes(o.target)) ?? '';
      expect(row).toContain(o.name);
      expect(row).toContain(` ${o.errorClass}`);
    }
  });
});

describe('--task takes provider/account/id, the form status prints', () => {
  it('pauses exactly that task, reports its outcome in --json, shows it in status and resumes it', async () => {
    // Prepare
    const key = await aRunningTaskKey();

    // Act
    const paused = await cli(['pause', '--task', key, '--source', 'T-1', '--reason', 'one task', '--json', ...local()]);
    const status = JSON.parse((await cli(['status', '--json', ...local()])).stdout) as { key: string; source: string }[];
    const resumed = await cli(['resume', '--task', key, '--source', 'T-1', '--reason', 'one task over', '--json', ...local()]);

    // Assess
    expect(paused.code).toBe(0);
    const pause = JSON.parse(paused.stdout);
    expect(pause.totals).toEqual({ paused: 1 });
    expect(pause.outcomes).toEqual([expect.objectContaining({ target: key, outcome: 'paused', name: expect.any(String) })]);
    expect(status.filter((h) => h.source === 'T-1').map((h) => h.key)).toEqual([key]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).outcomes).toEqual([expect.objectContaining({ target: key, outcome: 'resumed' })]);
  });

  it('refuses keys of two accounts, whose ids could also select each other’s tasks', async () => {
    const { code, stderr } = await cli([
      'pause',
      '--task',
      'huawei-drs/acct-a/1',
      '--task',
      'huawei-drs/acct-b/2',
      '--reason',
      'two',
      ...local(),
    ]);

    expect(code).toBe(2);
    expect(stderr).toMatch(/--task: tasks of 2 accounts \(huawei-drs\/acct-a, huawei-drs\/acct-b\): run once per account/);
  });
});

describe('a resume that acts on nothing says why', () => {
  it('names the source that holds the tasks and the flag to add', async () => {
    // Prepare
    const incident = await cli([
      'pause',
      '--provider',
      'huawei-drs',
      '--source',
      'INC-J',
      '--reason',
      'INC-J',
      '--json',
      ...local(),
    ]);
    const held = JSON.parse(incident.stdout).totals.paused as number;
    expect(held).toBeGreaterThan(0);

    // Act
    const plain = await cli(['resume', '--all', '--reason', 'morning', ...local()]);
    await cli(['resume', '--all', '--source', 'INC-J', '--reason', 'INC-J over', ...local()]);

    // Assess
    expect(plain.stderr).toContain(`0 targets: ${held} tasks are held by INC-J; add --source INC-J`);
  });

  it('warns when the state directory does not exist', async () => {
    const missing = join(dir, 'no-such-state');

    const { code, stdout, stderr } = await cli(['status', '--state-dir', missing]);

    expect(code).toBe(0);
    expect(stdout).toMatch(/nothing is held paused/);
    expect(stderr).toMatch(/warning: the state directory .*no-such-state does not exist.*MIGRATION_PAUSER_STATE_DIR/);
  });

  it('takes the accounts file and the state directory from MIGRATION_PAUSER_ACCOUNTS and MIGRATION_PAUSER_STATE_DIR', async () => {
    // Prepare: neither flag is given, and the working directory has neither default.
    const state = join(dir, 'state-from-env');
    const fromEnv = { MIGRATION_PAUSER_ACCOUNTS: join(dir, 'accounts.json'), MIGRATION_PAUSER_STATE_DIR: state };

    // Act
    const paused = await cli(['pause', '--provider', 'ncp-object-migration', '--source', 'ENV-1', '--reason', 'env'], fromEnv);
    const status = await cli(['status'], fromEnv);
    const resumed = await cli(['resume', '--all', '--source', 'ENV-1', '--reason', 'env over'], fromEnv);

    // Assess
    expect(paused.code).toBe(0);
    expect(existsSync(join(state, 'ledger.json'))).toBe(true);
    expect(status.stdout).toMatch(/ENV-1\s+ncp-object-migration/);
    expect(resumed.code).toBe(0);
    expect(existsSync(join(dir, '.migration-pauser'))).toBe(false);
  });
});

describe('connection errors', () => {
  it('name the endpoint, suggest what to check and exit 3, without a stack trace', async () => {
    // Prepare: the same accounts, at a port where nothing listens (any more).
    const port = await aClosedPort();
    const accounts = sim.accountsFile({});
    const unreachable = {
      accounts: accounts.accounts.map((a) => ({ ...a, endpoint: `http://127.0.0.1:${port}` })),
    };
    await writeFile(join(dir, 'unreachable.json'), JSON.stringify(unreachable));

    // Act
    const { code, stdout, stderr } = await cli([
      'pause',
      '--all',
      '--reason',
      'r',
      '--accounts',
      join(dir, 'unreachable.json'),
      '--state-dir',
      join(dir, 'state-unreachable'),
    ]);

    // Assess
    expect(code).toBe(3);
    expect(stdout).toContain(`could not be reached at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(stderr).toContain(`nothing answered at http://127.0.0.1:${port} — check the endpoint in the accounts file`);
    expect(`${stdout}${stderr}`).not.toMatch(/\n\s+at /);
  });

  it('say that an aws: secret reference needs a stage', async () => {
    const accounts = sim.accountsFile({});
    const [first] = accounts.accounts;
    await writeFile(join(dir, 'aws-secret.json'), JSON.stringify({ accounts: [{ ...first, secret: 'aws:prod/ncp' }] }));

    const { code, stdout } = await cli([
      'pause',
      '--all',
      '--reason',
      'r',
      '--accounts',
      join(dir, 'aws-secret.json'),
      '--state-dir',
      join(dir, 'state-aws'),
    ]);

    expect(code).toBe(3);
    expect(stdout).toMatch(/secret aws:prod\/ncp: a Secrets Manager reference needs a stage — run with --stage STAGE/);
  });
});

describe('remote mode, against a stand-in Lambda endpoint on 127.0.0.1', () => {
  let lambda: Server;
  let lambdaUrl: string;
  const invoked: string[] = [];

  beforeAll(async () => {
    // Answers an Invoke like the incident function, after 2.5 s: long enough for the heartbeat to show.
    lambda = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        invoked.push(req.url ?? '');
        const command = JSON.parse(body) as { commandId: string; action: 'pause' | 'resume' };
        const summary = {
          commandId: command.commandId,
          action: command.action,
          dryRun: false,
          targets: 2,
          byProvider: { 'huawei-drs': { paused: 2 } },
          totals: { paused: 2 },
          accountFailures: [],
          startedAt: '2026-12-03T00:00:00.000Z',
          finishedAt: '2026-12-03T00:00:02.000Z',
          seconds: 2,
        };
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ summary, mode: 'in-process' }));
        }, 2_500);
      });
    });
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
    lambdaUrl = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => lambda.close(resolve));
  });

  const aws = (endpoint: string) => ({
    AWS_ENDPOINT_URL_LAMBDA: endpoint,
    AWS_ACCESS_KEY_ID: 'FAKE',
    AWS_SECRET_ACCESS_KEY: 'FAKE',
    AWS_REGION: 'ap-northeast-2',
    AWS_MAX_ATTEMPTS: '1',
    MIGRATION_PAUSER_HEARTBEAT_SECONDS: '1',
  });

  it('prints the command id and a heartbeat on stderr while the invoke runs; stdout stays one JSON object', async () => {
    const { code, stdout, stderr } = await cli(
      ['pause', '--provider', 'huawei-drs', '--source', 'INC-R', '--reason', 'remote', '--stage', 'test', '--json'],
      aws(lambdaUrl),
    );

    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { commandId: string };
    expect(stderr).toContain(`command ${summary.commandId}: invoking migration-pauser-test-incident`);
    expect(stderr).toMatch(/still running after \d+ s/);
    expect(invoked).toEqual(['/2015-03-31/functions/migration-pauser-test-incident/invocations']);
  });

  it('exits 3 naming the endpoint when AWS cannot be reached, without a stack trace', async () => {
    const port = await aClosedPort();
    const { code, stderr } = await cli(['status', '--stage', 'test'], {
      ...aws(lambdaUrl),
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
    });

    expect(code).toBe(3);
    expect(stderr).toContain(
      `cannot read ledger table migration-pauser-test-ledger: cannot connect to 127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(stderr).toMatch(/check that ap-northeast-2 is the stage's region/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm start', () => {
  it('says in its help that its failures are simulated, and that any other failure exits 1', async () => {
    const { code, stdout } = await cli(['demo', '--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Those\s+failures are simulated and expected/);
    expect(stdout).toMatch(
      /exit codes: 0 every failure was one the simulator made on purpose, 1 some other target or account failed/,
    );
  });
});
