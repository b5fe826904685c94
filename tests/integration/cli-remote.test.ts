import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../cli/main';
import type { RemoteClients } from '../../cli/remote';
import { createLedgerTableInput, DynamoDbLedger } from '../../lib/aws/ledger-dynamodb';
import { targetFailure } from '../../lib/core/failures';
import type { Summary } from '../../lib/core/types';
import { aCommand, anOutcome, aPauseRecord, aTarget } from '../helpers/factories';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { type LocalSqs, startLocalSqs } from '../helpers/local-sqs';

// Remote mode against stage "test": the incident function is a mocked Lambda client; the failures and commands
// queues are a local SQS server and the ledger a local DynamoDB (dynalite), both on 127.0.0.1 under the deployed names.
const lambda = new LambdaClient({ region: 'ap-northeast-2', credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' } });
const lambdaMock = mockClient(lambda);
let sqs: LocalSqs;
let dynamo: LocalDynamoDb;
let ledger: DynamoDbLedger;

const clients: RemoteClients = {
  lambda: async () => lambda,
  sqs: async () => sqs.client,
  dynamodb: async () => dynamo.client,
};

function remoteIo(overrides: Partial<RemoteClients> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stages: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: {},
    remote: (target) => {
      stages.push(target.stage);
      return { ...clients, ...overrides };
    },
  };
  return { io, out, err, stages, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];

function aSummary(overrides: Partial<Summary> = {}): Summary {
  return {
    commandId: '6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11',
    action: 'pause',
    dryRun: false,
    targets: 3,
    byProvider: { 'huawei-drs': { paused: 3 } },
    totals: { paused: 3 },
    accountFailures: [],
    startedAt: '2026-11-28T00:00:00.000Z',
    finishedAt: '2026-11-28T00:00:02.000Z',
    seconds: 2,
    ...overrides,
  };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

beforeAll(async () => {
  sqs = await startLocalSqs([{ name: 'migration-pauser-test-failures' }, { name: 'migration-pauser-test-commands' }]);
  dynamo = await startLocalDynamoDb();
  await dynamo.client.send(new CreateTableCommand(createLedgerTableInput('migration-pauser-test-ledger')));
  await new Promise((resolve) => setTimeout(resolve, 50));
  ledger = new DynamoDbLedger({ client: dynamo.client, tableName: 'migration-pauser-test-ledger' });
});

afterEach(() => {
  lambdaMock.reset();
});

afterAll(async () => {
  await sqs.close();
  await dynamo.stop();
});

describe('remote mode: pause, resume and plan invoke the stage’s incident function', () => {
  it('sends the command to migration-pauser-<stage>-incident and prints the summary it returns', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ summary: aSummary(), mode: 'in-process' }) });
    const { io, stdout, stages } = remoteIo();

    const code = await main(
      ['pause', '--provider', 'huawei-drs', '--source', 'INC-5', '--reason', 'INC-5', '--stage', 'test'],
      io,
    );

    expect(code).toBe(0);
    expect(stages).toEqual(['test']);
    const call = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(call?.FunctionName).toBe('migration-pauser-test-incident');
    expect(JSON.parse(new TextDecoder().decode(call?.Payload as Uint8Array))).toMatchObject({
      action: 'pause',
      dryRun: false,
      source: 'INC-5',
      scope: { providers: ['huawei-drs'] },
    });
    expect(stdout()).toMatch(/pause 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11: 3 targets in 2s/);
    expect(stdout()).toMatch(/huawei-drs\s+3/);
  });

  it('plans as a dry run, and says how to follow targets the function dispatched to its workers', async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: payload({ summary: aSummary({ action: 'resume', totals: { dispatched: 250 } }), mode: 'dispatched' }),
    });
    const planned = remoteIo();
    const resumed = remoteIo();

    await main(['plan', 'resume', '--all', '--reason', 'check', '--stage', 'test'], planned.io);
    const code = await main(['resume', '--all', '--reason', 'over', '--stage', 'test', '--region', 'eu-west-1'], resumed.io);

    const sent = lambdaMock
      .commandCalls(InvokeCommand)
      .map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)));
    expect(sent.map((c) => c.dryRun)).toEqual([true, false]);
    expect(code).toBe(0);
    expect(resumed.stdout()).toMatch(/250 targets went to the stage's workers/);
    expect(resumed.stdout()).toMatch(
      /migration-pauser history --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --stage test --region eu-west-1/,
    );
  });

  it('exits 1 and points at redrive when targets failed, 3 when an account’s secret is missing', async () => {
    lambdaMock
      .on(InvokeCommand)
      .resolvesOnce({
        StatusCode: 200,
        Payload: payload({ summary: aSummary({ totals: { paused: 2, failed: 1 } }), mode: 'in-process' }),
      })
      .resolvesOnce({
        StatusCode: 200,
        Payload: payload({
          summary: aSummary({
            totals: {},
            accountFailures: [
              {
                provider: 'ncp-object-migration',
                account: 'ncp-main',
                errorClass: 'auth',
                reason:
                  'secret aws:mp/ncp-main has no field secretKey — add it with aws secretsmanager put-secret-value --secret-id mp/ncp-main …',
              },
            ],
          }),
          mode: 'in-process',
        }),
      });
    const failed = remoteIo();
    const secret = remoteIo();

    const failedCode = await main(['pause', '--all', '--reason', 'r', '--stage', 'test'], failed.io);
    const secretCode = await main(['pause', '--all', '--reason', 'r', '--stage', 'test', '--json'], secret.io);

    expect(failedCode).toBe(1);
    expect(failed.stderr()).toMatch(
      /migration-pauser redrive --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --stage test --dry-run/,
    );
    expect(secretCode).toBe(3);
    expect(JSON.parse(secret.stdout()).accountFailures[0].reason).toMatch(/add it with aws secretsmanager put-secret-value/);
  });

  it('exits 2 when the deployed function refuses the command as invalid', async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({
        errorType: 'CommandValidationError',
        errorMessage: 'invalid command: scope.providers.0: unknown provider',
      }),
    });
    const { io, stderr } = remoteIo();

    const code = await main(['pause', '--all', '--reason', 'r', '--stage', 'test'], io);

    expect(code).toBe(2);
    expect(stderr()).toMatch(/migration-pauser-test-incident refused the command: invalid command: scope\.providers\.0/);
  });

  it.each([
    [
      'no credentials',
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /no AWS credentials found .*aws sso login/,
    ],
    [
      'access denied',
      awsError(
        'AccessDeniedException',
        'User: arn:aws:iam::123456789012:user/x is not authorized to perform: lambda:InvokeFunction',
      ),
      /access denied for .* in ap-northeast-2 — use a role allowed/,
    ],
    [
      'a stage that is not deployed',
      awsError('ResourceNotFoundException', 'Function not found'),
      /does not exist in ap-northeast-2 — check --stage test and --region/,
    ],
    [
      'no such host (a mistyped region)',
      Object.assign(awsError('Error', 'getaddrinfo ENOTFOUND lambda.ap-nrotheast-2.amazonaws.com'), {
        code: 'ENOTFOUND',
        hostname: 'lambda.ap-nrotheast-2.amazonaws.com',
      }),
      /cannot connect to lambda\.ap-nrotheast-2\.amazonaws\.com \(ENOTFOUND\) — check that ap-northeast-2 is the stage's region/,
    ],
  ])('exits 3 saying what to do when there are %s', async (_, error, message) => {
    lambdaMock.on(InvokeCommand).rejects(error);
    const { io, stderr } = remoteIo();

    const code = await main(['resume', '--all', '--reason', 'r', '--stage', 'test'], io);

    expect(code).toBe(3);
    expect(stderr()).toMatch(message);
    expect(stderr()).toMatch(/cannot invoke migration-pauser-test-incident/);
    expect(stderr()).not.toMatch(/\n\s+at /);
  });
});

describe('remote mode: status and history read the stage’s ledger table', () => {
  it('shows the holds and the history recorded by the deployed functions', async () => {
    const target = aTarget({ provider: 'huawei-drs', account: 'hw-drs', taskId: 'job-1', name: 'job-1' });
    await ledger.recordPause(aPauseRecord(target, { source: 'INC-5' }));
    const commandId = '00000000-0000-4000-8000-000000000005';
    await ledger.recordOutcomes(commandId, [anOutcome({ target, outcome: 'paused' })]);
    const status = remoteIo();
    const history = remoteIo();

    const statusCode = await main(['status', '--stage', 'test'], status.io);
    const historyCode = await main(['history', '--command', commandId, '--stage', 'test', '--json'], history.io);

    expect(statusCode).toBe(0);
    expect(status.stdout()).toMatch(/INC-5\s+huawei-drs\s+1/);
    expect(historyCode).toBe(0);
    expect(JSON.parse(history.stdout())).toEqual([
      expect.objectContaining({ commandId, outcome: expect.objectContaining({ outcome: 'paused' }) }),
    ]);
  });

  it('exits 3 naming the table when the stage has none', async () => {
    const { io, stderr } = remoteIo();

    const code = await main(['status', '--stage', 'nostage'], io);

    expect(code).toBe(3);
    expect(stderr()).toMatch(/cannot read ledger table migration-pauser-nostage-ledger: it does not exist/);
  });
});

describe('remote mode: redrive works on the stage’s failures queue', () => {
  it('shows the commands on a dry run, then publishes them to the commands queue and deletes the failures', async () => {
    const command = aCommand({ action: 'resume', reason: 'window over', source: 'window:business-hours' });
    const failed = (taskId: string) =>
      targetFailure(
        command,
        anOutcome({ target: aTarget({ taskId, name: taskId }), outcome: 'failed', errorClass: 'retryable', reason: 'timeout' }),
      );
    for (const body of [failed('policy-1'), failed('policy-2')]) {
      await sqs.client.send(
        new SendMessageCommand({ QueueUrl: sqs.queueUrl('migration-pauser-test-failures'), MessageBody: JSON.stringify(body) }),
      );
    }
    const dry = remoteIo();
    const real = remoteIo();

    const dryCode = await main(['redrive', '--command', command.commandId, '--dry-run', '--stage', 'test'], dry.io);
    const realCode = await main(
      ['redrive', '--command', command.commandId, '--stage', 'test', '--json', '--requested-by', 'oncall-kim'],
      real.io,
    );

    expect(dryCode).toBe(0);
    expect(dry.stdout()).toMatch(
      /dry run: nothing sent, nothing removed\) from failures queue migration-pauser-test-failures: 2 failures looked at, would move 2 into 1 commands/,
    );
    expect(realCode).toBe(0);
    expect(JSON.parse(real.stdout())).toMatchObject({ dryRun: false, received: 2, moved: 2, kept: 0 });
    const published = await sqs.receiveAll(sqs.queueUrl('migration-pauser-test-commands'));
    expect(published.map((m) => JSON.parse(m.Body ?? '{}'))).toEqual([
      expect.objectContaining({
        action: 'resume',
        scope: expect.objectContaining({ accounts: ['ncp-main'], taskIds: ['policy-1', 'policy-2'] }),
        // The window's resume again: it releases the window's holds, not the `manual` ones.
        source: 'window:business-hours',
        requestedBy: command.requestedBy,
        redrive: { of: command.commandId, by: 'oncall-kim' },
      }),
    ]);
    expect(await sqs.receiveAll(sqs.queueUrl('migration-pauser-test-failures'))).toEqual([]);
  });

  it('exits 3 when the stage’s queues are not there', async () => {
    const { io, stderr } = remoteIo();

    const code = await main(['redrive', '--stage', 'nostage'], io);

    expect(code).toBe(3);
    expect(stderr()).toMatch(/cannot find queue migration-pauser-nostage-failures: it does not exist/);
  });
});
