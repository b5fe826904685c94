import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedriveHandler } from '../../functions/redrive';
import { type AwsRuntime, createAwsRuntime } from '../../lib/aws/runtime';
import { targetFailure } from '../../lib/core/failures';
import { runWorkMessage } from '../../lib/core/run';
import { targetKey } from '../../lib/core/types';
import { type WorkMessage, workMessageSchema } from '../../lib/core/work';
import { PROVIDER_KEYS, type ProviderKey } from '../../lib/providers/types';
import { type Simulator, startSimulator } from '../../sim';
import { aCommand, anOutcome, aTarget, aTask } from '../helpers/factories';
import { actionRequests } from '../helpers/fleet';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { type LocalSqs, startLocalSqs } from '../helpers/local-sqs';
import {
  CI_PREFIX,
  environmentOf,
  functionRole,
  ledgerActionsUsedBy,
  packageService,
  prop,
  type Resource,
  ROOT,
  removePackagedService,
  type Statement,
  statementsOf,
} from '../helpers/packaged-service';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';
import { lambdaContext, quietObservability } from '../unit/functions/support';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * The functions as deployed: each one's runtime is built by createAwsRuntime from the environment the packaged
 * CloudFormation gives it — its Refs and Joins resolved to real local servers (local-aws-sqs queues and a dynalite
 * table named as in the template) — and every AWS call it then makes is checked against its own IAM role. A
 * variable missing from the template, or a grant missing from the role, fails here as it would fail on AWS.
 */

const FUNCTIONS = ['window', 'commands', 'incident', 'worker', 'redrive'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

/** What each function does with AWS: the ports its code uses (functions/*.ts, lib/aws/runtime.ts). */
type Port = 'ledger' | 'failures' | 'work-queues' | 'redrive-queues';
const PORTS: Record<FunctionName, Port[]> = {
  window: ['ledger', 'failures', 'work-queues'],
  commands: ['ledger', 'failures', 'work-queues'],
  incident: ['ledger', 'failures', 'work-queues'],
  // The work queues for the hand-off at its Lambda deadline (lib/core/run.ts handOn).
  worker: ['ledger', 'failures', 'work-queues'],
  redrive: ['redrive-queues'],
};

// The account id and region `Fn::Sub` stands for; only the secrets ARN uses them.
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'ap-northeast-2',
  'AWS::AccountId': '000000000000',
};

/** One request an SDK client put on the wire: the API action (as IAM names it) and the resource it names. */
interface Call {
  service: 'sqs' | 'dynamodb';
  action: string;
  resource: string;
}

let resources: Record<string, Resource>;
let sqs: LocalSqs;
let dynamo: LocalDynamoDb;
let sim: Simulator;
let taskRoot: string;
let tableName: string;
let tableArn: string;
/** Logical id of each queue → its local URL and ARN. */
const queues = new Map<string, { name: string; url: string; arn: string }>();

beforeAll(async () => {
  ({ resources } = await packageService());
  const queueResources = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
  sqs = await startLocalSqs(queueResources.map(([, r]) => ({ name: String(r.Properties.QueueName) })));
  for (const [id, r] of queueResources) {
    const name = String(r.Properties.QueueName);
    const url = sqs.queueUrl(name);
    // Older `AttributeNames`: local-aws-sqs answers system attributes only to it.
    const { Attributes } = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    queues.set(id, { name, url, arn: String(Attributes?.QueueArn) });
  }
  dynamo = await startLocalDynamoDb();
  tableName = await dynamo.createLedgerTable(String(resources.LedgerTable?.Properties.TableName));
  const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: tableName }));
  tableArn = String(Table?.TableArn);

  sim = await startSimulator({ scenario: { transitionMs: 30, accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')] } });
  // What the bundle carries at MP_ACCOUNTS_FILE (config/accounts.ci.json under the task root), pointed at the
  // simulator; the secrets are Secrets Manager references, as on a stage.
  taskRoot = await mkdtemp(join(tmpdir(), 'mp-task-root-'));
  const accounts = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 3_000 } });
  for (const account of accounts.accounts) account.secret = `aws:migration-pauser/${String(account.name)}`;
  await mkdir(join(taskRoot, 'config'), { recursive: true });
  await writeFile(join(taskRoot, 'config/accounts.ci.json'), JSON.stringify(accounts), 'utf8');
}, 240_000);

afterAll(async () => {
  await sim?.close();
  await sqs?.close();
  await dynamo?.stop();
  if (taskRoot) await rm(taskRoot, { recursive: true, force: true });
  await removePackagedService();
});

beforeEach(async () => {
  for (const { url } of queues.values()) await sqs.receiveAll(url);
});

// ── the template's values, resolved to the local servers ────────────────────────────────────────────────

function resolve(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const ref = prop(value, 'Ref');
  if (typeof ref === 'string') {
    if (ref === 'LedgerTable') return tableName;
    const queue = queues.get(ref);
    if (queue) return queue.url;
    throw new Error(`Ref to ${ref}: not a queue or the ledger table`);
  }
  const getAtt = prop(value, 'Fn::GetAtt');
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') {
    if (getAtt[0] === 'LedgerTable') return tableArn;
    const queue = queues.get(String(getAtt[0]));
    if (queue) return queue.arn;
    throw new Error(`Fn::GetAtt of ${String(getAtt[0])}: not a queue or the ledger table`);
  }
  const join = prop(value, 'Fn::Join');
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(resolve).join(join[0]);
  const sub = prop(value, 'Fn::Sub');
  if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => PSEUDO[name] ?? `\${${name}}`);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** The function's environment as Lambda would set it: the template's variables, resolved, plus the task root. */
function deployedEnv(fn: FunctionName): Record<string, string> {
  const env: Record<string, string> = { LAMBDA_TASK_ROOT: taskRoot };
  for (const [name, value] of Object.entries(environmentOf(resources, fn))) env[name] = resolve(value);
  return env;
}

// ── IAM ─────────────────────────────────────────────────────────────────────────────────────────────────

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
}

/** Whether the statements allow `action` on `arn` (and no statement denies it). */
function allows(statements: readonly Statement[], action: string, arn: string): boolean {
  const matching = (s: Statement) =>
    s.Action.some((a) => glob(a).test(action)) && s.Resource.some((r) => glob(resolve(r)).test(arn));
  return (
    statements.some((s) => s.Effect === 'Allow' && matching(s)) && !statements.some((s) => s.Effect === 'Deny' && matching(s))
  );
}

/** IAM's name for an API action: the batch forms are authorised as their single form. */
const SQS_IAM_ACTION: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function queueArnOfUrl(url: string): string {
  const queue = [...queues.values()].find((q) => q.url === url);
  if (!queue) throw new Error(`a call to ${url}, not a queue of the template`);
  return queue.arn;
}

/**
 * What one request on the wire asks for (the `X-Amz-Target` header and the JSON body): the action and the resource
 * are what IAM evaluates, whatever SDK command produced them.
 */
function callOf(service: Call['service'], request: unknown): Call {
  const { headers, body } = request as { headers?: Record<string, string>; body?: unknown };
  const operation = String(headers?.['x-amz-target'] ?? '').split('.')[1] ?? '';
  const text = body instanceof Uint8Array ? new TextDecoder().decode(body) : typeof body === 'string' ? body : '{}';
  const input = JSON.parse(text) as Record<string, unknown>;
  if (service === 'sqs') {
    return { service, action: `sqs:${SQS_IAM_ACTION[operation] ?? operation}`, resource: queueArnOfUrl(String(input.QueueUrl)) };
  }
  // Batch operations name their tables as the keys of RequestItems.
  const tables =
    typeof input.TableName === 'string' ? [input.TableName] : Object.keys((input.RequestItems as object | undefined) ?? {});
  if (tables.length !== 1 || tables[0] !== tableName) throw new Error(`a call to table ${tables.join(', ')}, not the template's`);
  const index = typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '';
  return { service, action: `dynamodb:${operation}`, resource: `${tableArn}${index}` };
}

const RECORDER = { step: 'finalizeRequest', name: 'recordForIamCheck' } as const;

interface Deployed {
  env: Record<string, string>;
  runtime: AwsRuntime;
  calls: Call[];
  statements: Statement[];
}

/** The function's runtime, built from its template environment, with clients that record what they send. */
async function deployed(fn: FunctionName): Promise<Deployed> {
  const calls: Call[] = [];
  const local = { region: 'ap-northeast-2', credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' } };
  const sqsClient = new SQSClient({ ...local, endpoint: sqs.endpoint });
  const dynamoDb = new DynamoDBClient({ ...local, endpoint: dynamo.endpoint, maxAttempts: 1 });
  sqsClient.middlewareStack.add(
    (next) => async (args) => {
      calls.push(callOf('sqs', args.request));
      return next(args);
    },
    RECORDER,
  );
  dynamoDb.middlewareStack.add(
    (next) => async (args) => {
      calls.push(callOf('dynamodb', args.request));
      return next(args);
    },
    RECORDER,
  );
  const secretsManager = new SecretsManagerClient(local);
  mockClient(secretsManager)
    .on(GetSecretValueCommand, { SecretId: `migration-pauser/${NCP_MAIN.name}` })
    .resolves({ SecretString: JSON.stringify({ accessKey: NCP_MAIN.accessKey, secretKey: NCP_MAIN.secretKey }) });
  const env = deployedEnv(fn);
  const runtime = await createAwsRuntime({
    env,
    clients: { sqs: sqsClient, dynamoDb, secretsManager },
    // Where the runtime would put a file ledger or failures file if the template gave it no table or queue.
    stateDir: join(taskRoot, `state-${fn}`),
    sessionOptions: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
  });
  return { env, runtime, calls, statements: statementsOf(functionRole(resources, fn)) };
}

/** The calls its role does not allow. */
const denied = (d: Deployed) => d.calls.filter((c) => !allows(d.statements, c.action, c.resource));

const queueNamed = (name: string) => {
  const queue = [...queues.values()].find((q) => q.name === name);
  if (!queue) throw new Error(`no queue ${name} in the template`);
  return queue;
};
const workQueueOf = (provider: ProviderKey) => queueNamed(`${CI_PREFIX}-work-${provider}`);
const failuresQueue = () => queueNamed(`${CI_PREFIX}-failures`);
const commandsQueue = () => queueNamed(`${CI_PREFIX}-commands`);
const bodies = async (url: string) => (await sqs.receiveAll(url)).map((m) => JSON.parse(m.Body ?? 'null') as unknown);

function chunkFor(provider: ProviderKey): WorkMessage {
  const target = aTarget({ provider, account: `${provider}-account`, taskId: 'task-1', name: 'task-1' });
  const task = aTask({ provider, account: target.account, taskId: 'task-1', name: 'task-1' });
  return { version: 1, command: aCommand(), account: target.account, items: [{ target, task }], phase: 'act', handoff: 0 };
}

// ── the checks ──────────────────────────────────────────────────────────────────────────────────────────

async function usePort(fn: FunctionName, port: Port, d: Deployed): Promise<void> {
  if (port === 'ledger') {
    expect(d.env.MP_LEDGER_TABLE, `${fn}: MP_LEDGER_TABLE`).toBe(tableName);
    const key = targetKey(aTarget({ taskId: `wiring-${fn}` }));
    const lease = { holder: `wiring-${fn}`, expiresAt: Date.now() + 60_000 };
    expect(await d.runtime.ledger.claim(`wiring-${fn}`, key, lease), fn).toBe('claimed');
    await d.runtime.ledger.finishClaim(`wiring-${fn}`, key);
    expect([...(await d.runtime.ledger.acquireLeases([key], lease)).keys()], fn).toEqual([key]);
    await d.runtime.ledger.releaseLeases([key], lease.holder);
    expect(await d.runtime.ledger.claim(`wiring-${fn}`, key, { ...lease, holder: 'another' }), fn).toBe('done');
    await d.runtime.ledger.flush();
    expect(
      d.calls.some((c) => c.service === 'dynamodb'),
      `${fn}: the ledger is the template's table`,
    ).toBe(true);
    // Every action the ledger's code can send, on the table and its index, not only the ones used here.
    const source = await readFile(join(ROOT, 'lib/aws/ledger-dynamodb.ts'), 'utf8');
    for (const action of ledgerActionsUsedBy(source))
      expect(allows(d.statements, action, tableArn), `${fn}: ${action}`).toBe(true);
    expect(allows(d.statements, 'dynamodb:Query', `${tableArn}/index/byCommand`), `${fn}: query the index`).toBe(true);
  }
  if (port === 'failures') {
    expect(d.env.MP_FAILURES_QUEUE_URL, `${fn}: MP_FAILURES_QUEUE_URL`).toBe(failuresQueue().url);
    const failedAt = new Date().toISOString();
    await d.runtime.failures.send([{ kind: 'invalid-command', issues: [], received: `wiring ${fn}`, failedAt }]);
    expect(await bodies(failuresQueue().url), fn).toEqual([expect.objectContaining({ received: `wiring ${fn}` })]);
  }
  if (port === 'work-queues') {
    expect(d.env.MP_WORK_QUEUE_URLS, `${fn}: MP_WORK_QUEUE_URLS`).toBeDefined();
    expect(d.runtime.workQueue, `${fn}: a work queue`).toBeDefined();
    for (const provider of PROVIDER_KEYS) {
      await d.runtime.workQueue?.send(provider, [chunkFor(provider)]);
      const arrived = await bodies(workQueueOf(provider).url);
      expect(
        arrived.map((b) => prop(b, 'account')),
        `${fn} → ${provider}`,
      ).toEqual([`${provider}-account`]);
    }
  }
  if (port === 'redrive-queues') {
    expect(d.env.MP_FAILURES_QUEUE_URL, `${fn}: MP_FAILURES_QUEUE_URL`).toBe(failuresQueue().url);
    expect(d.env.MP_COMMANDS_QUEUE_URL, `${fn}: MP_COMMANDS_QUEUE_URL`).toBe(commandsQueue().url);
    const failure = targetFailure(aCommand(), anOutcome({ outcome: 'failed', errorClass: 'retryable', reason: 'timeout' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: failuresQueue().url, MessageBody: JSON.stringify(failure) }));
    const redrive = createRedriveHandler({
      runtime: async () => d.runtime,
      observability: quietObservability(),
      waitTimeSeconds: 0,
    });
    expect(await redrive({}, lambdaContext)).toMatchObject({ received: 1, moved: 1 });
    expect(await bodies(commandsQueue().url)).toHaveLength(1);
    // Releasing what it keeps is part of every redrive, though this one kept nothing.
    expect(allows(d.statements, 'sqs:ChangeMessageVisibility', failuresQueue().arn), fn).toBe(true);
  }
}

describe('each function as deployed: its environment and its role from the packaged template', () => {
  it.each(FUNCTIONS)('%s reaches every port it uses, and its role allows each call it makes', async (fn) => {
    const d = await deployed(fn);

    for (const port of PORTS[fn]) await usePort(fn, port, d);

    expect(d.calls.length, fn).toBeGreaterThan(0);
    expect(denied(d), `${fn}: calls its role does not allow`).toEqual([]);
  });

  it('allows every queue a function has a URL for to be sent to, or (redrive’s failures queue) read', async () => {
    for (const fn of FUNCTIONS) {
      const { env, statements } = await deployed(fn);
      const urls = [
        env.MP_FAILURES_QUEUE_URL,
        env.MP_COMMANDS_QUEUE_URL,
        ...Object.values(JSON.parse(env.MP_WORK_QUEUE_URLS ?? '{}') as Record<string, string>),
      ].filter((url): url is string => url !== undefined);
      for (const url of urls) {
        // Redrive reads the failures queue; every other queue URL a function holds is one it sends to.
        const action = fn === 'redrive' && url === failuresQueue().url ? 'sqs:ReceiveMessage' : 'sqs:SendMessage';
        expect(allows(statements, action, queueArnOfUrl(url)), `${fn}: ${action} on ${url}`).toBe(true);
      }
    }
  });
});

describe('the deployed worker at its Lambda deadline', () => {
  it('hands the chunk back onto its provider’s work queue instead of failing the targets', async () => {
    const d = await deployed('worker');
    const target = aTarget({ account: NCP_MAIN.name, taskId: 'photos', name: 'photos' });
    const message: WorkMessage = {
      version: 1,
      command: aCommand({ scope: { accounts: [NCP_MAIN.name] }, reason: 'CHG-7 maintenance' }),
      account: NCP_MAIN.name,
      items: [{ target, task: aTask({ account: NCP_MAIN.name, taskId: 'photos', name: 'photos' }) }],
      phase: 'act',
      handoff: 0,
    };

    // The deadline has already come, as when the invocation's remaining time is used up.
    const result = await runWorkMessage(message, d.runtime.runDeps({ stopBy: Date.now() - 1 }));

    expect(result.outcomes.filter((o) => o.outcome === 'failed')).toEqual([]);
    expect(result.handedOn).toBe(1);
    const handedOn = (await bodies(workQueueOf('ncp-object-migration').url)).map((b) => workMessageSchema.parse(b));
    expect(handedOn).toHaveLength(1);
    expect(handedOn[0]).toMatchObject({ account: NCP_MAIN.name, handoff: 1, command: { commandId: message.command.commandId } });
    expect(handedOn[0]?.items.map((i) => i.target.taskId)).toEqual(['photos']);
    expect(await bodies(failuresQueue().url)).toEqual([]);
    expect(actionRequests(sim)).toEqual([]);
    expect(sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
    expect(denied(d)).toEqual([]);
  });
});
