import {
  DatabaseMigrationServiceClient,
  DatabaseMigrationServiceServiceException,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AccountConfig, parseAccounts } from '../../../../lib/config';
import { ProviderError } from '../../../../lib/core/errors';
import { TokenBucket } from '../../../../lib/http/rate-limiter';
import { awsDmsAdapter, clearAssumedRoles } from '../../../../lib/providers/aws-dms';
import { dmsCredentials } from '../../../../lib/providers/aws-dms/credentials';
import type { ProviderTask } from '../../../../lib/providers/types';

const dms = mockClient(DatabaseMigrationServiceClient);
const sts = mockClient(STSClient);
const OPTIONS = { force: false } as const;
const ARN = (n: number) => `arn:aws:dms:ap-northeast-2:000000000000:task:FAKETASK${String(n).padStart(4, '0')}`;
const BASE_KEYS = { accessKeyId: 'AKIAFAKEBASE0000001', secretAccessKey: 'FAKE-BASE-SECRET-0001' };

function account(extra: Record<string, unknown> = {}): AccountConfig {
  const [parsed] = parseAccounts({
    accounts: [{ name: 'dms-main', provider: 'aws-dms', region: 'ap-northeast-2', ...extra }],
  }).accounts;
  if (parsed === undefined) throw new Error('no account');
  return parsed;
}

const sleeps: number[] = [];
function open(config: AccountConfig, secret: Record<string, unknown> = BASE_KEYS) {
  const limiter = new TokenBucket(1_000, 1_000);
  const held: number[] = [];
  const holdFor = limiter.holdFor.bind(limiter);
  limiter.holdFor = (ms) => {
    held.push(ms);
    holdFor(0);
  };
  const throttles: boolean[] = [];
  limiter.answered = (_sentAt, throttled) => {
    throttles.push(throttled);
  };
  const http = {
    timeoutMs: 1_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    limiter,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
  const session = awsDmsAdapter.open({ account: config, secret, http });
  return { session, held, throttles, http };
}

function awsError(name: string, status: number, message = 'simulated'): DatabaseMigrationServiceServiceException {
  return new DatabaseMigrationServiceServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const task = (n: number, Status = 'running') => ({
  ReplicationTaskArn: ARN(n),
  ReplicationTaskIdentifier: `orders-cdc-${n}`,
  Status,
  MigrationType: 'full-load-and-cdc' as const,
});
const asTask = (n: number): ProviderTask => ({
  provider: 'aws-dms',
  account: 'dms-main',
  taskId: ARN(n),
  name: `t${n}`,
  state: 'running',
  phase: 'running',
});

beforeEach(() => {
  dms.reset();
  sts.reset();
  clearAssumedRoles();
  sleeps.length = 0;
});
afterEach(() => {
  clearAssumedRoles();
});

describe('aws-dms adapter (SDK mocked)', () => {
  it('lists every page by Marker, without task settings, 100 a page', async () => {
    dms
      .on(DescribeReplicationTasksCommand)
      .resolvesOnce({ ReplicationTasks: [task(1), task(2)], Marker: 'page-2' })
      .resolvesOnce({ ReplicationTasks: [task(3, 'stopped')] });
    const { session } = open(account());

    const tasks = await session.list();

    expect(tasks.map((t) => [t.taskId, t.name, t.phase])).toEqual([
      [ARN(1), 'orders-cdc-1', 'running'],
      [ARN(2), 'orders-cdc-2', 'running'],
      [ARN(3), 'orders-cdc-3', 'paused'],
    ]);
    const inputs = dms.commandCalls(DescribeReplicationTasksCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { MaxRecords: 100, WithoutSettings: true },
      { MaxRecords: 100, WithoutSettings: true, Marker: 'page-2' },
    ]);
  });

  it('reads tasks back by an ARN filter; an ARN DMS does not return is not found', async () => {
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [task(1)] });
    const { session } = open(account());

    const read = await session.get([ARN(1), ARN(2)]);

    expect(read.get(ARN(1))).toMatchObject({ phase: 'running' });
    expect(read.get(ARN(2))).toMatchObject({ errorClass: 'not-found', taskId: ARN(2) });
    expect(dms.commandCalls(DescribeReplicationTasksCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'replication-task-arn', Values: [ARN(1), ARN(2)] },
    ]);
  });

  it('reads ResourceNotFoundFault (a filter that matches nothing) as not found for every id', async () => {
    dms.on(DescribeReplicationTasksCommand).rejects(awsError('ResourceNotFoundFault', 400, 'No Tasks found'));
    const { session } = open(account());

    const read = await session.get([ARN(7), ARN(8)]);

    expect(read.get(ARN(7))).toMatchObject({ errorClass: 'not-found', providerCode: 'ResourceNotFoundFault', taskId: ARN(7) });
    expect(read.get(ARN(8))).toMatchObject({ errorClass: 'not-found', taskId: ARN(8) });
  });

  it('stops with StopReplicationTask and resumes with StartReplicationTask resume-processing', async () => {
    dms.on(StopReplicationTaskCommand).resolves({ ReplicationTask: task(1, 'stopping') });
    dms.on(StartReplicationTaskCommand).resolves({ ReplicationTask: task(1, 'starting') });
    const { session } = open(account());

    expect(await session.pause([asTask(1)], OPTIONS)).toEqual([{ taskId: ARN(1), ok: true }]);
    expect(await session.resume([asTask(1)], OPTIONS)).toEqual([{ taskId: ARN(1), ok: true }]);

    expect(dms.commandCalls(StopReplicationTaskCommand)[0]?.args[0].input).toEqual({ ReplicationTaskArn: ARN(1) });
    expect(dms.commandCalls(StartReplicationTaskCommand)[0]?.args[0].input).toEqual({
      ReplicationTaskArn: ARN(1),
      StartReplicationTaskType: 'resume-processing',
    });
  });

  it.each([
    ['InvalidResourceStateFault', 400, 'invalid-state', 1],
    ['ResourceNotFoundFault', 400, 'not-found', 1],
    ['AccessDeniedFault', 400, 'auth', 1],
    ['AccessDeniedException', 400, 'auth', 1],
    ['UnrecognizedClientException', 400, 'auth', 1],
    ['InvalidParameterValueException', 400, 'bad-request', 1],
    ['KMSKeyNotAccessibleFault', 400, 'provider-error', 1],
    ['InternalFailure', 500, 'retryable', 3],
    ['ThrottlingException', 400, 'throttled', 3],
  ] as const)('a stop refused with %s fails that task %s after %i call(s)', async (name, status, errorClass, calls) => {
    dms.on(StopReplicationTaskCommand).rejects(awsError(name, status));
    const { session } = open(account());

    const [result] = await session.pause([asTask(1)], OPTIONS);

    expect(result).toMatchObject({ taskId: ARN(1), ok: false, error: { errorClass, providerCode: name, taskId: ARN(1) } });
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(calls);
  });

  it('tells the account’s rate limiter of the throttling (which cuts its rate) and succeeds on the retry', async () => {
    dms
      .on(DescribeReplicationTasksCommand)
      .rejectsOnce(awsError('ThrottlingException', 400, 'Rate exceeded'))
      .resolves({ ReplicationTasks: [task(1)] });
    const { session, held, throttles } = open(account());

    const tasks = await session.list();

    expect(tasks).toHaveLength(1);
    expect(throttles).toEqual([true, false]);
    // DMS sends no Retry-After: the account is not held, its rate is cut instead.
    expect(held).toEqual([]);
    expect(dms.commandCalls(DescribeReplicationTasksCommand)).toHaveLength(2);
  });

  it('does not send a stop again when its answer was lost: the task is read back instead', async () => {
    dms.on(StopReplicationTaskCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const { session } = open(account());

    const [result] = await session.pause([asTask(1)], OPTIONS);

    expect(result).toMatchObject({ ok: false, error: { errorClass: 'retryable', maybeApplied: true } });
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(1);
  });

  // A mocked client's send skips the SDK's signing, so the credentials are asked for directly here; the simulator's
  // tests (tests/integration/providers/aws-dms.test.ts) go through STS and a SigV4 check end to end.
  const credentialsOf = (config: AccountConfig, now?: () => number) =>
    dmsCredentials({
      account: config,
      secret: BASE_KEYS,
      secretRef: 'env:MP_FAKE',
      http: {
        timeoutMs: 1_000,
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        limiter: new TokenBucket(1_000, 1_000),
      },
      ...(now === undefined ? {} : { now }),
    });
  const temporary = (n: number, expiresAt: number) => ({
    Credentials: {
      AccessKeyId: `ASIAFAKE000000000${n}`,
      SecretAccessKey: `FAKE-TEMP-SECRET-${n}`,
      SessionToken: `FAKE-TEMP-TOKEN-${n}`,
      Expiration: new Date(expiresAt),
    },
  });

  it('assumes the role once, with its ExternalId, and reuses the credentials until five minutes before expiry', async () => {
    let now = Date.UTC(2026, 11, 3, 6, 0, 0);
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(temporary(1, now + 60 * 60_000))
      .resolves(temporary(2, now + 2 * 60 * 60_000));
    const config = account({ roleArn: 'arn:aws:iam::000000000000:role/fake-dms-operator', externalId: 'fake-external-id' });
    const clock = () => now;

    const first = await credentialsOf(config, clock).provide?.();
    now += 54 * 60_000;
    const again = await credentialsOf(config, clock).provide?.();
    now += 2 * 60_000;
    const renewed = await credentialsOf(config, clock).provide?.();

    expect(first?.accessKeyId).toBe('ASIAFAKE0000000001');
    expect(again?.accessKeyId).toBe('ASIAFAKE0000000001');
    expect(renewed?.accessKeyId).toBe('ASIAFAKE0000000002');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleArn: 'arn:aws:iam::000000000000:role/fake-dms-operator',
      ExternalId: 'fake-external-id',
      RoleSessionName: 'migration-pauser',
    });
  });

  it('uses the secret’s keys as they are, with no role, and the default chain with neither', async () => {
    expect(await credentialsOf(account()).provide?.()).toEqual(BASE_KEYS);
    const chain = dmsCredentials({ account: account(), secret: {}, secretRef: '(none)', http: open(account()).http });
    expect(chain.provide).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('fails with auth, naming the role, when the role cannot be assumed, and asks STS once', async () => {
    sts.on(AssumeRoleCommand).rejects(
      Object.assign(new Error('not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const config = account({ roleArn: 'arn:aws:iam::000000000000:role/fake-dms-operator' });

    const failure = credentialsOf(config).provide?.();

    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toMatchObject({ errorClass: 'auth', providerCode: 'AccessDenied' });
    await expect(failure).rejects.toThrow(/fake-dms-operator/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('refuses a secret that has some keys but not a usable pair, naming the field, never a value', () => {
    expect(() => open(account({ secret: 'env:MP_FAKE' }), { accessKeyId: 'AKIAFAKEONLY000001' })).toThrow(
      /has no field secretAccessKey/,
    );
  });
});

describe('aws-dms accounts', () => {
  it('take roleArn and externalId; other providers’ accounts may not', () => {
    expect(account({ roleArn: 'arn:aws:iam::000000000000:role/x', externalId: 'ext-1' })).toMatchObject({
      roleArn: 'arn:aws:iam::000000000000:role/x',
    });
    expect(() =>
      parseAccounts({
        accounts: [
          {
            name: 'n',
            provider: 'ncp-object-migration',
            region: 'KR',
            secret: 'env:X',
            roleArn: 'arn:aws:iam::000000000000:role/x',
          },
        ],
      }),
    ).toThrow(/roleArn is a field of AWS DMS accounts only/);
    expect(() => account({ roleArn: 'not-an-arn' })).toThrow(/roleArn/);
  });

  it('may name no secret, unlike every other provider', () => {
    expect(account().secret).toBeUndefined();
    expect(() => parseAccounts({ accounts: [{ name: 'n', provider: 'ncp-object-migration', region: 'KR' }] })).toThrow(
      /need a secret/,
    );
  });
});
