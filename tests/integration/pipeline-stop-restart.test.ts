import { describe, expect, it } from 'vitest';
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
  it('stops 120 tasks with 3 batch calls, confirms TERMINATED, and reports the 2 backup imports unsupported on resume', async () => {
    const fleet = await startFleet(dcsFleet(118, 2));

    const pause = await fleet.run({ action: 'pause' });

    expect(pause.summary.totals).toEqual({ paused: 120 });
    expect(actionRequests(fleet.sim).filter((r) => r.path.endsWith('/migration-task/batch-stop'))).toHaveLength(3);
    expect(fleet.sim.task('huawei-dcs', 'dcs-7')?.state).toBe('TERMINATED');

    const resume = await fleet.run({ action: 'resume' });

    expect(resume.summary.totals).toEqual({ resumed: 118, unsupported: 2 });
    const restartBodies = actionRequests(fleet.sim)
      .filter((r) => r.path.endsWith('/migration-tasks/batch-restart'))
      .map((r) => r.body);
    expect(restartBodies).toHaveLength(3);
    expect(restartBodies.join()).not.toContain('dcs-import-');
    expect(fleet.sim.task('huawei-dcs', 'dcs-import-0')?.state).toBe('TERMINATED');
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
