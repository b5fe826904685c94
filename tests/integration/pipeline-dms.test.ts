import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearAssumedRoles } from '../../lib/providers/aws-dms';
import type { RecordedRequest, Scenario, SimTask } from '../../sim';
import { startFleet } from '../helpers/fleet';

const ACCOUNT = 'dms-main';
const ROLE = 'arn:aws:iam::000000000000:role/fake-dms-operator';
const ARN = (n: number) => `arn:aws:dms:ap-northeast-2:000000000000:task:FAKEPIPE${String(n).padStart(6, '0')}`;

function dmsTask(n: number, name: string, state: string, extra: Partial<SimTask> = {}): SimTask {
  return { provider: 'aws-dms', account: ACCOUNT, id: ARN(n), name, state, ...extra };
}

function dmsScenario(tasks: SimTask[] = []): Scenario {
  return {
    accounts: [
      {
        name: ACCOUNT,
        provider: 'aws-dms',
        region: 'ap-northeast-2',
        accessKey: 'AKIAFAKEPIPE000001',
        secretKey: 'FAKE-PIPE-BASE-SECRET-01',
        roleArn: ROLE,
        externalId: 'fake-external-id-pipe',
      },
    ],
    tasks: [
      dmsTask(1, 'orders-cdc', 'running'),
      dmsTask(2, 'users-cdc', 'running'),
      dmsTask(3, 'held-by-dba', 'stopped'),
      dmsTask(4, 'archive-load', 'stopped', { stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' }),
      dmsTask(5, 'new-task', 'ready'),
      ...tasks,
    ],
  };
}

const operation = (r: RecordedRequest) => r.headers['x-amz-target']?.replace('AmazonDMSv20160101.', '') ?? 'sts';
const actions = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => ['StopReplicationTask', 'StartReplicationTask'].includes(operation(r)));

beforeEach(() => clearAssumedRoles());
afterEach(() => clearAssumedRoles());

describe('AWS DMS through the pipeline, over the simulator', () => {
  it('stops every running task, leaves the others alone, and resumes exactly those with resume-processing', async () => {
    const fleet = await startFleet(dmsScenario());

    const paused = await fleet.run({ action: 'pause' });

    expect(paused.summary.byProvider['aws-dms']).toEqual({ paused: 2, 'already-paused': 1, skipped: 2 });
    expect(fleet.sim.task('aws-dms', ARN(1))?.state).toBe('stopped');
    expect((await fleet.ledger.pausedByUs()).map((r) => r.target.name).sort()).toEqual(['orders-cdc', 'users-cdc']);

    const resumed = await fleet.run({ action: 'resume', reason: 'evening' });

    expect(resumed.summary.totals).toEqual({ resumed: 2 });
    const starts = actions(fleet.sim.requests).filter((r) => operation(r) === 'StartReplicationTask');
    expect(starts.map((r) => JSON.parse(r.body))).toEqual(
      expect.arrayContaining([
        { ReplicationTaskArn: ARN(1), StartReplicationTaskType: 'resume-processing' },
        { ReplicationTaskArn: ARN(2), StartReplicationTaskType: 'resume-processing' },
      ]),
    );
    expect(starts).toHaveLength(2);
    expect(fleet.sim.task('aws-dms', ARN(3))?.state).toBe('stopped');
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('assumes the role once per run and signs every DMS call with its session', async () => {
    const fleet = await startFleet(dmsScenario());

    await fleet.run({ action: 'pause' });

    const sts = fleet.sim.requests.filter((r) => operation(r) === 'sts');
    expect(sts).toHaveLength(1);
    const dms = fleet.sim.requests.filter((r) => operation(r) !== 'sts');
    expect(dms.length).toBeGreaterThan(2);
    for (const r of dms) expect(r.headers['x-amz-security-token'], operation(r)).toMatch(/^FAKE-STS-TOKEN\./);
  });

  it('fails only the task DMS refuses, with its fault name, and sends it to the DLQ', async () => {
    const fleet = await startFleet(
      dmsScenario([
        dmsTask(6, 'busy-cdc', 'running', { failsAction: { code: 'InvalidResourceStateFault', message: 'task is busy' } }),
      ]),
    );

    const { summary } = await fleet.run({ action: 'pause' });

    expect(summary.byProvider['aws-dms']).toMatchObject({ paused: 2, failed: 1 });
    expect(fleet.failures.messages).toEqual([
      expect.objectContaining({
        kind: 'target-failed',
        errorClass: 'invalid-state',
        providerCode: 'InvalidResourceStateFault',
        target: expect.objectContaining({ taskId: ARN(6), name: 'busy-cdc' }),
      }),
    ]);
  });

  it('reports a role it may not assume as an auth failure of the account, after one STS request', async () => {
    const scenario = dmsScenario();
    const fleet = await startFleet(scenario, {
      env: (env) => {
        for (const [name, value] of Object.entries(env)) {
          if (value.includes('FAKE-PIPE-BASE-SECRET-01'))
            env[name] = value.replace('FAKE-PIPE-BASE-SECRET-01', 'FAKE-WRONG-SECRET');
        }
      },
    });

    const { summary } = await fleet.run({ action: 'pause' });

    expect(summary.accountFailures).toEqual([expect.objectContaining({ account: ACCOUNT, errorClass: 'auth' })]);
    expect(fleet.sim.requests).toHaveLength(1);
    expect(fleet.sim.requests[0]?.status).toBe(403);
    expect(fleet.failures.messages).toEqual([expect.objectContaining({ kind: 'account-failed', errorClass: 'auth' })]);
    expect(JSON.stringify(fleet.failures.messages)).not.toContain('FAKE-WRONG-SECRET');
  });

  it('makes no DMS change on a dry run', async () => {
    const fleet = await startFleet(dmsScenario());

    const { summary } = await fleet.run({ action: 'pause', dryRun: true });

    expect(summary.totals).toEqual({ planned: 2, 'already-paused': 1, skipped: 2 });
    expect(actions(fleet.sim.requests)).toEqual([]);
  });
});
