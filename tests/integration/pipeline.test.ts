import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../sim';
import { actionRequests, startFleet } from '../helpers/fleet';
import { DRS_MAIN, drsJob, drsJobId, NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

const UUID = drsJobId;

function twoProviderScenario(): Scenario {
  return {
    accounts: [NCP_MAIN, DRS_MAIN],
    tasks: [
      ncpPolicy('photos', 'STARTED'),
      ncpPolicy('logs', 'STARTED'),
      ncpPolicy('held-by-ops', 'PAUSED'),
      ncpPolicy('archive', 'DONE'),
      drsJob(1, 'orders-db', 'INCRE_TRANSFER_STARTED'),
      drsJob(2, 'users-db', 'FULL_TRANSFER_STARTED'),
      drsJob(3, 'audit-db', 'PAUSING'),
      drsJob(4, 'new-db', 'CONFIGURATION'),
    ],
  };
}

describe('pause and resume over the simulator', () => {
  it('pauses every running task and gives every target exactly one outcome', async () => {
    const fleet = await startFleet(twoProviderScenario());

    const { summary, outcomes } = await fleet.run({ action: 'pause' });

    expect(summary.targets).toBe(8);
    expect(outcomes).toHaveLength(8);
    expect(summary.byProvider['ncp-object-migration']).toEqual({ paused: 2, 'already-paused': 1, skipped: 1 });
    expect(summary.byProvider['huawei-drs']).toEqual({ paused: 2, 'already-paused': 1, skipped: 1 });
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(fleet.sim.task('huawei-drs', UUID(1))?.state).toBe('PAUSING');
    expect((await fleet.ledger.pausedByUs()).map((r) => r.target.name).sort()).toEqual([
      'logs',
      'orders-db',
      'photos',
      'users-db',
    ]);
  });

  it('resumes only what it paused; a task paused by someone else stays paused', async () => {
    const fleet = await startFleet(twoProviderScenario());
    await fleet.run({ action: 'pause' });

    const { summary } = await fleet.run({ action: 'resume', reason: 'evening' });

    expect(summary.totals).toEqual({ resumed: 4 });
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
    expect(fleet.sim.task('ncp-object-migration', 'held-by-ops')?.state).toBe('PAUSED');
    expect(fleet.sim.task('huawei-drs', UUID(3))?.state).toBe('PAUSING');
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('reports a task resumed by hand as already running and makes no call for it', async () => {
    const fleet = await startFleet(twoProviderScenario());
    await fleet.run({ action: 'pause', scope: { providers: ['ncp-object-migration'] } });
    fleet.sim.setTaskState('ncp-object-migration', 'logs', 'STARTED');
    const before = actionRequests(fleet.sim).length;

    const { summary } = await fleet.run({ action: 'resume', scope: { providers: ['ncp-object-migration'] } });

    expect(summary.totals).toEqual({ resumed: 1, 'already-running': 1 });
    expect(actionRequests(fleet.sim).length - before).toBe(1);
  });

  it('makes no provider change on a dry run, and shows the plan', async () => {
    const fleet = await startFleet(twoProviderScenario());

    const { summary } = await fleet.run({ action: 'pause', dryRun: true });

    expect(summary.totals).toEqual({ planned: 4, 'already-paused': 2, skipped: 2 });
    expect(actionRequests(fleet.sim)).toEqual([]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('fails only the DRS job the provider refused, and sends it to the DLQ with its code', async () => {
    const scenario = twoProviderScenario();
    const refused = scenario.tasks.find((t) => t.id === UUID(2));
    if (refused) refused.failsAction = { code: 'DRS.10000011', message: 'job is busy' };
    const fleet = await startFleet(scenario);

    const { summary } = await fleet.run({ action: 'pause', scope: { providers: ['huawei-drs'] } });

    expect(summary.byProvider['huawei-drs']).toMatchObject({ paused: 1, failed: 1 });
    expect(fleet.failures.messages).toEqual([
      expect.objectContaining({
        kind: 'target-failed',
        providerCode: 'DRS.10000011',
        target: expect.objectContaining({ taskId: UUID(2), name: 'users-db' }),
      }),
    ]);
  });

  it('rides out a 429 and still pauses everything', async () => {
    const fleet = await startFleet(twoProviderScenario());
    fleet.sim.inject({ provider: 'ncp-object-migration', method: 'POST', kind: 'http', status: 429, times: 1 });

    const { summary } = await fleet.run({ action: 'pause', scope: { providers: ['ncp-object-migration'] } });

    expect(summary.totals.paused).toBe(2);
    expect(fleet.sim.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('reports a wrong secret as an auth failure of the account after one request, never a retry loop', async () => {
    const fleet = await startFleet(twoProviderScenario(), {
      env: (env) => {
        for (const [name, value] of Object.entries(env)) {
          if (value.includes('FAKE-HW-SK-01')) env[name] = value.replace('FAKE-HW-SK-01', 'FAKE-WRONG-SK');
        }
      },
    });

    const { summary } = await fleet.run({ action: 'pause', scope: { providers: ['huawei-drs'] } });

    expect(summary.accountFailures).toEqual([expect.objectContaining({ account: 'drs-main', errorClass: 'auth' })]);
    expect(fleet.sim.requests.filter((r) => r.provider === 'huawei-drs')).toHaveLength(1);
    expect(fleet.sim.requests[0]?.status).toBe(401);
    expect(fleet.failures.messages).toEqual([expect.objectContaining({ kind: 'account-failed', errorClass: 'auth' })]);
  });

  it('fails a target whose pause is accepted but never confirmed, instead of calling it paused', async () => {
    const fleet = await startFleet({ ...twoProviderScenario(), transitionMs: 60_000 });

    const { outcomes } = await fleet.run({ action: 'pause', scope: { taskIds: ['photos'] } });

    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'failed', errorClass: 'retryable' })]);
    expect(outcomes[0]?.reason).toMatch(/not confirmed paused/);
  });
});
