import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../lib/core/command';
import { targetOf } from '../../lib/core/plan';
import { runWorkMessage } from '../../lib/core/run';
import { workMessageSchema } from '../../lib/core/work';
import { MemoryWorkQueue } from '../../lib/local/work-queue-memory';
import type { Scenario, SimTask } from '../../sim';
import { actionRequests, startFleet } from '../helpers/fleet';

const dcsAccount = {
  name: 'dcs-main',
  provider: 'huawei-dcs',
  region: 'ap-southeast-1',
  projectId: 'fakeprojectdcs',
  accessKey: 'FAKE-DCS-AK-01',
  secretKey: 'FAKE-DCS-SK-01',
} as const;

function dcsFleet(online: number, backupImports: number): Scenario {
  const tasks: SimTask[] = [];
  for (let i = 0; i < online; i++) {
    tasks.push({ provider: 'huawei-dcs', account: 'dcs-main', id: `dcs-${i}`, name: `redis-${i}`, state: 'MIGRATING' });
  }
  for (let i = 0; i < backupImports; i++) {
    tasks.push({
      provider: 'huawei-dcs',
      account: 'dcs-main',
      id: `dcs-import-${i}`,
      name: `import-${i}`,
      state: 'FULLMIGRATING',
      migrationType: 'backupfile_import',
    });
  }
  return { accounts: [dcsAccount], tasks };
}

describe('DCS: stop now, restart later', () => {
  it('stops 118 online migrations with 3 batch calls, leaves the 2 backup imports running (a stop could not be undone), and restarts them all', async () => {
    const fleet = await startFleet(dcsFleet(118, 2));

    const pause = await fleet.run({ action: 'pause' });

    expect(pause.summary.totals).toEqual({ paused: 118, unsupported: 2 });
    expect(pause.outcomes.find((o) => o.target.taskId === 'dcs-import-0')?.reason).toMatch(
      /^not paused: it could never be resumed \(.*\); allow irreversible stops to pause it anyway$/,
    );
    expect(actionRequests(fleet.sim).filter((r) => r.path.endsWith('/migration-task/batch-stop'))).toHaveLength(3);
    expect(
      actionRequests(fleet.sim)
        .map((r) => r.body)
        .join(),
    ).not.toContain('dcs-import-');
    expect(fleet.sim.task('huawei-dcs', 'dcs-7')?.state).toBe('TERMINATED');
    expect(fleet.sim.task('huawei-dcs', 'dcs-import-0')?.state).toBe('FULLMIGRATING');
    expect((await fleet.ledger.pausedByUs()).map((h) => h.target.taskId)).not.toContain('dcs-import-0');

    const resume = await fleet.run({ action: 'resume' });

    expect(resume.summary.totals).toEqual({ resumed: 118 });
    expect(actionRequests(fleet.sim).filter((r) => r.path.endsWith('/migration-tasks/batch-restart'))).toHaveLength(3);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('stops a backup import only when the command allows irreversible stops, and keeps it held as never resumable', async () => {
    const fleet = await startFleet(dcsFleet(1, 1));

    const pause = await fleet.run({ action: 'pause', options: { allowIrreversible: true } });

    expect(pause.summary.totals).toEqual({ paused: 2 });
    expect(fleet.sim.task('huawei-dcs', 'dcs-import-0')?.state).toBe('TERMINATED');
    const held = (await fleet.ledger.pausedByUs()).find((h) => h.target.taskId === 'dcs-import-0');
    expect(held?.target.resumeUnsupportedReason).toMatch(/backup/i);

    const resume = await fleet.run({ action: 'resume' });

    expect(resume.summary.totals).toEqual({ resumed: 1, unsupported: 1 });
    expect(fleet.sim.task('huawei-dcs', 'dcs-import-0')?.state).toBe('TERMINATED');
    expect((await fleet.ledger.pausedByUs()).map((h) => h.target.taskId)).toEqual(['dcs-import-0']);
  });

  it('does not stop again a backup import restarted by hand while a pause that found it stopped was queued', async () => {
    const fleet = await startFleet(dcsFleet(0, 1));
    await fleet.run({ action: 'pause', source: 'INC-1', options: { allowIrreversible: true } });
    expect(fleet.sim.task('huawei-dcs', 'dcs-import-0')?.state).toBe('TERMINATED');
    // A second pause finds it stopped under our hold: it plans to add its own hold (the hold phase)…
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'pause', source: 'INC-2' }, { workQueue, inProcessLimit: 0 });
    const [message] = workQueue.drain();
    expect(message?.phase).toBe('hold');
    if (!message) throw new Error('nothing was dispatched');
    // …and before its worker comes, someone restarts the import by hand.
    fleet.sim.setTaskState('huawei-dcs', 'dcs-import-0', 'FULLMIGRATING');
    const stops = actionRequests(fleet.sim).length;

    const { outcomes } = await runWorkMessage(message, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
    });

    expect(outcomes.map((o) => o.outcome)).toEqual(['unsupported']);
    expect(actionRequests(fleet.sim).length).toBe(stops);
    expect(fleet.sim.task('huawei-dcs', 'dcs-import-0')?.state).toBe('FULLMIGRATING');
    expect((await fleet.ledger.pausedByUs()).map((h) => h.source)).toEqual(['INC-1']);
  });

  it('refuses the stop where it is made too: a work message that asks for it is unsupported, and nothing is sent', async () => {
    const fleet = await startFleet(dcsFleet(0, 1));
    const task = {
      provider: 'huawei-dcs' as const,
      account: 'dcs-main',
      taskId: 'dcs-import-0',
      name: 'import-0',
      state: 'FULLMIGRATING',
      phase: 'running' as const,
      resumeUnsupportedReason: 'a backup-file import cannot be restarted',
    };
    const message = workMessageSchema.parse({
      version: 1,
      command: parseCommand({ action: 'pause', scope: { all: true }, reason: 'x', requestedBy: 'tests' }),
      account: 'dcs-main',
      items: [{ target: targetOf(task), task }],
    });

    const { outcomes } = await runWorkMessage(message, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
    });

    expect(outcomes.map((o) => o.outcome)).toEqual(['unsupported']);
    expect(actionRequests(fleet.sim)).toEqual([]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('lets no Redis password out: not in outcomes, summaries, the ledger or the DLQ', async () => {
    const scenario = dcsFleet(6, 1);
    const refused = scenario.tasks[2];
    if (refused) refused.failsAction = { code: 'DCS.4135', message: 'invalid state' };
    const fleet = await startFleet(scenario);

    const pause = await fleet.run({ action: 'pause' });
    const resume = await fleet.run({ action: 'resume' });

    const everything = JSON.stringify([
      pause,
      resume,
      await fleet.ledger.pausedByUs(),
      await fleet.ledger.outcomesOf(pause.summary.commandId),
      await fleet.ledger.outcomesOf(resume.summary.commandId),
      fleet.failures.messages,
    ]);
    expect(fleet.failures.messages.length).toBeGreaterThan(0);
    expect(everything).not.toMatch(/FAKE-REDIS|password/i);
    // The simulator did send them: the scan would have found them had anything kept them.
    expect(fleet.sim.requests.length).toBeGreaterThan(0);
  });
});

describe('OMS: resume needs the task keys', () => {
  it('fails a resume whose secret has no dst_ak with a clear reason, without calling start', async () => {
    const fleet = await startFleet(
      {
        accounts: [
          {
            name: 'oms-main',
            provider: 'huawei-oms',
            region: 'ap-southeast-1',
            projectId: 'fakeprojectoms',
            accessKey: 'FAKE-OMS-AK-01',
            secretKey: 'FAKE-OMS-SK-01',
            oms: { dst_ak: 'FAKE-DST-AK', dst_sk: 'FAKE-DST-SK' },
          },
        ],
        tasks: [
          { provider: 'huawei-oms', account: 'oms-main', id: '100000000000001', name: 'bucket-a', state: '2' },
          { provider: 'huawei-oms', account: 'oms-main', id: '100000000000002', name: 'bucket-b', state: '2' },
        ],
      },
      {
        env: (env) => {
          for (const [name, value] of Object.entries(env)) {
            const secret = JSON.parse(value);
            if (secret.oms) {
              delete secret.oms.dst_ak;
              env[name] = JSON.stringify(secret);
            }
          }
        },
      },
    );
    await fleet.run({ action: 'pause' });

    const { summary, outcomes } = await fleet.run({ action: 'resume' });

    expect(summary.totals).toEqual({ failed: 2 });
    expect(outcomes[0]).toMatchObject({ errorClass: 'bad-request', reason: expect.stringMatching(/dst_ak/) });
    expect(actionRequests(fleet.sim).filter((r) => r.path.endsWith('/start'))).toEqual([]);
    expect(fleet.failures.messages).toHaveLength(2);
  });
});
