import {
  DatabaseMigrationServiceClient,
  DescribeReplicationInstancesCommand,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  type StartReplicationTaskTypeValue,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimAccount, type SimTask, type Simulator, startSimulator } from '../../sim';

/**
 * The simulated DMS and STS, spoken to by the real AWS SDK clients: what the simulator accepts and refuses, and in
 * which AWS words. Faults are made after the SDK has signed, by a request handler that changes the request on its
 * way out.
 */
const REGION = 'ap-northeast-2';
const ROLE = 'arn:aws:iam::000000000000:role/fake-sim-dms-operator';
const ARN = (n: number) => `arn:aws:dms:${REGION}:000000000000:task:FAKESIMTASK${String(n).padStart(4, '0')}`;
const KEYS = { accessKeyId: 'AKIAFAKESIM0000001', secretAccessKey: 'FAKE-SIM-DMS-SECRET-01' };

const direct: SimAccount = {
  name: 'dms-direct',
  provider: 'aws-dms',
  region: REGION,
  accessKey: KEYS.accessKeyId,
  secretKey: KEYS.secretAccessKey,
};
const withRole: SimAccount = {
  name: 'dms-role',
  provider: 'aws-dms',
  region: REGION,
  accessKey: 'AKIAFAKESIM0000002',
  secretKey: 'FAKE-SIM-DMS-SECRET-02',
  roleArn: ROLE,
  externalId: 'fake-sim-external-id',
};
const task = (n: number, state: string, account = direct.name): SimTask => ({
  provider: 'aws-dms',
  account,
  id: ARN(n),
  name: `sim-task-${n}`,
  state,
});

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function simWith(tasks: SimTask[], accounts: SimAccount[] = [direct, withRole]): Promise<Simulator> {
  const sim = await startSimulator({ scenario: { accounts, tasks, transitionMs: 30 } });
  open.push(sim);
  return sim;
}

type Tamper = (request: { body?: unknown; headers: Record<string, string> }) => void;

/** A request handler that lets `tamper` change each request after the SDK signed it. */
function tampering(tamper: Tamper): NodeHttpHandler {
  const inner = new NodeHttpHandler();
  const handler = Object.create(inner) as NodeHttpHandler;
  handler.handle = (request, options) => {
    tamper(request);
    return inner.handle(request, options);
  };
  return handler;
}

function dms(
  sim: Simulator,
  options: {
    credentials?: typeof KEYS & { sessionToken?: string };
    region?: string;
    tamper?: Tamper;
    clockOffsetMs?: number;
  } = {},
) {
  return new DatabaseMigrationServiceClient({
    region: options.region ?? REGION,
    endpoint: sim.url,
    credentials: options.credentials ?? KEYS,
    maxAttempts: 1,
    ...(options.tamper ? { requestHandler: tampering(options.tamper) } : {}),
    ...(options.clockOffsetMs ? { systemClockOffset: options.clockOffsetMs } : {}),
  });
}

async function assumeRole(sim: Simulator, externalId = 'fake-sim-external-id') {
  const sts = new STSClient({
    region: REGION,
    endpoint: sim.url,
    credentials: { accessKeyId: withRole.accessKey, secretAccessKey: withRole.secretKey },
    maxAttempts: 1,
  });
  return sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'sim-test', ExternalId: externalId }));
}

const describeAll = new DescribeReplicationTasksCommand({ MaxRecords: 100, WithoutSettings: true });

describe('the simulated AWS DMS (SigV4, AWS JSON 1.1)', () => {
  it('serves a request signed with the account’s keys, and its tasks only', async () => {
    const sim = await simWith([task(1, 'running'), task(2, 'running', withRole.name)]);

    const answer = await dms(sim).send(describeAll);

    expect(answer.ReplicationTasks?.map((t) => t.ReplicationTaskArn)).toEqual([ARN(1)]);
    expect(sim.requests[0]?.headers['x-amz-target']).toBe('AmazonDMSv20160101.DescribeReplicationTasks');
  });

  it('refuses a body changed after signing, a signature scoped to another region, and a clock 20 minutes off', async () => {
    const sim = await simWith([task(1, 'running')]);
    const tamperBody: Tamper = (request) => {
      // Same length, still valid JSON: only the signature can tell.
      request.body = String(request.body).replace('"MaxRecords":100', '"MaxRecords": 20');
    };

    await expect(dms(sim, { tamper: tamperBody }).send(describeAll)).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(dms(sim, { region: 'us-east-1' }).send(describeAll)).rejects.toThrow(/scoped to a valid region/);
    await expect(dms(sim, { clockOffsetMs: 20 * 60_000 }).send(describeAll)).rejects.toThrow(/Signature expired/);
    expect(sim.applied).toEqual([]);
  });

  it('refuses an unknown key, and a right key with the wrong secret', async () => {
    const sim = await simWith([task(1, 'running')]);

    await expect(
      dms(sim, { credentials: { accessKeyId: 'AKIAFAKEUNKNOWN001', secretAccessKey: 'x' } }).send(describeAll),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(
      dms(sim, { credentials: { ...KEYS, secretAccessKey: 'FAKE-WRONG-SECRET' } }).send(describeAll),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('serves an account with a role only through the role’s session, handed out by STS for its ExternalId', async () => {
    const sim = await simWith([task(2, 'running', withRole.name)]);
    const base = { accessKeyId: withRole.accessKey, secretAccessKey: withRole.secretKey };

    await expect(dms(sim, { credentials: base }).send(describeAll)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(assumeRole(sim, 'fake-other-external-id')).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const { Credentials: session } = await assumeRole(sim);
    const credentials = {
      accessKeyId: session?.AccessKeyId ?? '',
      secretAccessKey: session?.SecretAccessKey ?? '',
      sessionToken: session?.SessionToken ?? '',
    };

    expect(credentials.accessKeyId).toMatch(/^ASIAFAKE/);
    expect(session?.Expiration?.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    const answer = await dms(sim, { credentials }).send(describeAll);
    expect(answer.ReplicationTasks?.map((t) => t.ReplicationTaskArn)).toEqual([ARN(2)]);
    await expect(
      dms(sim, { credentials: { ...credentials, sessionToken: `${credentials.sessionToken.slice(0, -1)}0` } }).send(describeAll),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('pages by Marker within 20–100 records, and refuses a marker it did not give', async () => {
    const sim = await simWith(Array.from({ length: 45 }, (_, i) => task(i + 1, 'running')));
    const client = dms(sim);

    const first = await client.send(new DescribeReplicationTasksCommand({ MaxRecords: 20 }));
    const second = await client.send(new DescribeReplicationTasksCommand({ MaxRecords: 20, Marker: first.Marker }));

    expect(first.ReplicationTasks).toHaveLength(20);
    expect(first.ReplicationTasks?.[0]?.ReplicationTaskSettings).toEqual(expect.any(String));
    expect(second.ReplicationTasks?.[0]?.ReplicationTaskArn).toBe(ARN(21));
    await expect(client.send(new DescribeReplicationTasksCommand({ MaxRecords: 10 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(client.send(new DescribeReplicationTasksCommand({ Marker: 'made-up' }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(
      client.send(new DescribeReplicationTasksCommand({ Filters: [{ Name: 'replication-task-arn', Values: [ARN(99)] }] })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundFault' });
  });

  it('moves a task running → stopping → stopped and back through starting, refusing either out of turn', async () => {
    const sim = await simWith([task(1, 'running')]);
    const client = dms(sim);

    const stopped = await client.send(new StopReplicationTaskCommand({ ReplicationTaskArn: ARN(1) }));
    await expect(client.send(new StopReplicationTaskCommand({ ReplicationTaskArn: ARN(1) }))).rejects.toMatchObject({
      name: 'InvalidResourceStateFault',
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(
      client.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: ARN(1),
          StartReplicationTaskType: 'resume-everything' as StartReplicationTaskTypeValue,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    const started = await client.send(
      new StartReplicationTaskCommand({ ReplicationTaskArn: ARN(1), StartReplicationTaskType: 'resume-processing' }),
    );

    expect(stopped.ReplicationTask?.Status).toBe('stopping');
    expect(started.ReplicationTask?.Status).toBe('starting');
    expect(sim.applied.map((a) => a.toward)).toEqual(['stopped', 'running']);
  });

  it('throttles over the account’s rate with 400 ThrottlingException, and knows no other operation', async () => {
    const sim = await startSimulator({
      scenario: { accounts: [{ ...direct, rateLimit: { perSecond: 1, burst: 1 } }], tasks: [task(1, 'running')] },
    });
    open.push(sim);
    const client = dms(sim);

    await client.send(describeAll);
    const throttled = client.send(describeAll);

    await expect(throttled).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    // Recorded as a throttle whatever the status, so a benchmark counting throttles does not count 429s alone.
    expect(sim.requests.map((r) => r.throttled ?? false)).toEqual([false, true]);
    await expect(client.send(new DescribeReplicationInstancesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
  });
});
