import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { runCliIn } from '../helpers/cli-process';
import { DRS_MAIN, drsJob, NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

let sim: Simulator;
let dir: string;
let env: NodeJS.ProcessEnv;

/** Runs the CLI as a separate process, as an operator would; never throws on a non-zero exit. */
const cli = (...args: string[]) => runCliIn(dir, env, args);

beforeAll(async () => {
  sim = await startSimulator({
    scenario: {
      transitionMs: 30,
      accounts: [NCP_MAIN, DRS_MAIN],
      tasks: [ncpPolicy('photos', 'STARTED'), drsJob(1, 'orders-db', 'INCRE_TRANSFER_STARTED')],
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'mp-cli-events-'));
  await writeFile(
    join(dir, 'accounts.json'),
    JSON.stringify(sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 5_000 } })),
  );
  env = { ...process.env, ...sim.secretEnv(), NO_COLOR: '1' };
});

afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('migration-pauser --events-file', () => {
  it('appends one Command Completed line per run, pause then resume, with the command id the run printed', async () => {
    const events = join(dir, 'events.jsonl');

    const paused = await cli('pause', '--all', '--source', 'CHG-9', '--reason', 'CHG-9', '--json', '--events-file', events);
    const resumed = await cli(
      'resume',
      '--all',
      '--source',
      'CHG-9',
      '--reason',
      'CHG-9 done',
      '--json',
      '--events-file',
      events,
    );

    expect([paused.code, resumed.code]).toEqual([0, 0]);
    const lines = (await readFile(events, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        source: 'migration-pauser',
        'detail-type': 'Command Completed',
        detail: expect.objectContaining({ commandId: JSON.parse(paused.stdout).commandId, action: 'pause', source: 'CHG-9' }),
      }),
      expect.objectContaining({
        'detail-type': 'Command Completed',
        detail: expect.objectContaining({
          commandId: JSON.parse(resumed.stdout).commandId,
          action: 'resume',
          reason: 'CHG-9 done',
        }),
      }),
    ]);
    expect(lines[1]?.detail.summary.totals).toEqual({ resumed: 2 });
  });

  it('refuses --events-file with --stage: a deployed stage publishes to its own bus', async () => {
    const { code, stderr } = await cli(
      'pause',
      '--all',
      '--reason',
      'r',
      '--stage',
      'prod',
      '--events-file',
      join(dir, 'x.jsonl'),
    );

    expect(code).toBe(2);
    expect(stderr).toMatch(/--events-file: local runs only/);
  });
});
