import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLedgerTableInput, LEDGER_TABLE } from '../../lib/aws/ledger-dynamodb';
import { windowInputSchema } from '../../lib/core/window';
import { PROVIDER_KEYS } from '../../lib/providers/types';
import {
  allStatements as allStatementsIn,
  asArray,
  CI_PREFIX,
  environmentOf as environmentIn,
  functionLogicalId,
  functionRole as functionRoleIn,
  ledgerActionsUsedBy,
  packageService,
  prop,
  type Resource,
  ROOT,
  refTo,
  removePackagedService,
  resourceIn,
  statementsOf,
} from '../helpers/packaged-service';

/**
 * Packages the service exactly as CI does (`osls package --stage ci`, offline, no AWS credentials) and reads
 * the generated CloudFormation: what serverless.yml promises about queues, schedules, IAM and alarms is
 * checked where AWS will read it, not in the YAML.
 */

const PREFIX = CI_PREFIX;
/** CloudFormation's own `${...}` substitutions, not a template string. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub placeholders, compared verbatim
const SECRETS_ARN = 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:migration-pauser/*';

type Json = unknown;

let dir: string;
let resources: Record<string, Resource>;

beforeAll(async () => {
  ({ dir, resources } = await packageService());
}, 240_000);

afterAll(removePackagedService);

// ── reading the template ────────────────────────────────────────────────────────────────────────────────

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function resource(logicalId: string): Resource {
  return resourceIn(resources, logicalId);
}

function allStatements() {
  return allStatementsIn(resources);
}

function functionRole(functionName: string): Resource {
  return functionRoleIn(resources, functionName);
}

/** The logical id of a function's own role. */
function roleIdOf(functionName: string): string | undefined {
  return refTo(resource(functionLogicalId(functionName)).Properties.Role, 'Arn');
}

/** The resources a function's role allows `action` on (logical ids for GetAtt/Ref, the raw value otherwise). */
function grantedTargets(functionName: string, action: string): Json[] {
  return statementsOf(functionRole(functionName))
    .filter((s) => s.Effect === 'Allow' && s.Action.includes(action))
    .flatMap((s) => s.Resource.map((r) => refTo(r, 'Arn') ?? r));
}

function queueName(logicalId: string): string {
  return String(resource(logicalId).Properties.QueueName);
}

function queueIdNamed(name: string): string {
  const found = ofType('AWS::SQS::Queue').find(([, q]) => q.Properties.QueueName === name);
  if (!found) throw new Error(`no queue named ${name}`);
  return found[0];
}

function environmentOf(functionName: string): Record<string, Json> {
  return environmentIn(resources, functionName);
}

interface ZipEntry {
  /** Uncompressed size in bytes. */
  size: number;
  content(): Buffer;
}

/** The entries of a zip archive, read from its central directory (no unzip tool needed). */
function readZip(zip: Buffer): Map<string, ZipEntry> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive');
  const entries = new Map<string, ZipEntry>();
  let offset = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    entries.set(name, {
      size,
      content: () => {
        const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
        const data = zip.subarray(start, start + compressedSize);
        return method === 8 ? inflateRawSync(data) : data;
      },
    });
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return entries;
}

const FUNCTIONS = ['window', 'commands', 'incident', 'worker', 'redrive'] as const;
const WORK_QUEUES = PROVIDER_KEYS.map((provider) => `${PREFIX}-work-${provider}`);
const SOURCE_QUEUES = [`${PREFIX}-commands`, ...WORK_QUEUES];
const FAILURES_QUEUE = `${PREFIX}-failures`;

// ── the assertions ──────────────────────────────────────────────────────────────────────────────────────

const isSweep = (s: unknown) => prop(JSON.parse(String(prop(s, 'Target', 'Input'))), 'window') === 'expired-holds';
const windowSchedules = () =>
  ofType('AWS::Scheduler::Schedule')
    .map(([, s]) => s.Properties)
    .filter((s) => !isSweep(s));
const sweepSchedules = () =>
  ofType('AWS::Scheduler::Schedule')
    .map(([, s]) => s.Properties)
    .filter(isSweep);

describe('the packaged CloudFormation template', () => {
  it('has exactly the agreed queues, every one encrypted at rest', () => {
    const queues = ofType('AWS::SQS::Queue');

    expect(queues.map(([, q]) => q.Properties.QueueName).sort()).toEqual(
      [...SOURCE_QUEUES, ...SOURCE_QUEUES.map((q) => `${q}-dlq`), FAILURES_QUEUE].sort(),
    );
    for (const [, q] of queues) expect(q.Properties.SqsManagedSseEnabled, String(q.Properties.QueueName)).toBe(true);
  });

  it('sends a message that keeps failing on the commands or a work queue to that queue’s own DLQ', () => {
    for (const name of SOURCE_QUEUES) {
      const policy = resource(queueIdNamed(name)).Properties.RedrivePolicy;
      const dlq = refTo(prop(policy, 'deadLetterTargetArn'), 'Arn');

      expect(dlq && queueName(dlq), name).toBe(`${name}-dlq`);
      expect(prop(policy, 'maxReceiveCount'), name).toBeGreaterThanOrEqual(3);
      expect(prop(policy, 'maxReceiveCount'), name).toBeLessThanOrEqual(5);
    }
  });

  it('fires each window of config/windows.ci.yaml in its own zone: crons, a one-off at(), a disabled window', () => {
    const byName = new Map(windowSchedules().map((s) => [String(s.Name), s]));

    expect([...byName.keys()].sort()).toEqual(
      ['weekday-business-hours', 'drs-nightly-backup', 'storage-maintenance']
        .flatMap((w) => [`${CI_PREFIX}-${w}-pause`, `${CI_PREFIX}-${w}-resume`])
        .sort(),
    );
    expect(byName.get(`${CI_PREFIX}-weekday-business-hours-pause`)).toMatchObject({
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Asia/Seoul',
      State: 'ENABLED',
    });
    expect(byName.get(`${CI_PREFIX}-weekday-business-hours-resume`)?.ScheduleExpression).toBe('cron(0 18 ? * MON-FRI *)');
    expect(byName.get(`${CI_PREFIX}-drs-nightly-backup-pause`)).toMatchObject({
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'DISABLED',
    });
    expect(byName.get(`${CI_PREFIX}-storage-maintenance-pause`)?.ScheduleExpression).toBe('at(2027-01-16T22:00:00)');
    expect(byName.get(`${CI_PREFIX}-storage-maintenance-resume`)?.ScheduleExpression).toBe('at(2027-01-17T06:00:00)');
  });

  it('hands each fire its window’s zone and blackout dates, so the function can skip a holiday without the file', () => {
    const input = (name: string) =>
      JSON.parse(
        String(
          prop(
            windowSchedules().find((s) => s.Name === name),
            'Target',
            'Input',
          ),
        ),
      );

    expect(input(`${CI_PREFIX}-weekday-business-hours-pause`)).toMatchObject({
      window: 'weekday-business-hours',
      action: 'pause',
      timezone: 'Asia/Seoul',
      except: ['2026-12-25', { from: '2026-12-31', to: '2027-01-02', note: 'year end' }],
    });
    expect(input(`${CI_PREFIX}-drs-nightly-backup-resume`)).toMatchObject({
      action: 'resume',
      scope: { providers: ['huawei-drs'] },
    });
  });

  it('retries a fire the scheduler could not deliver, then puts it on the failures queue', () => {
    for (const s of windowSchedules()) {
      expect(prop(s, 'Target', 'RetryPolicy', 'MaximumRetryAttempts'), String(s.Name)).toBeGreaterThanOrEqual(1);
      expect(refTo(prop(s, 'Target', 'DeadLetterConfig', 'Arn'), 'Arn'), String(s.Name)).toBe(queueIdNamed(FAILURES_QUEUE));
    }
  });

  it('hands the window function an input its schema accepts once the scheduler fills in the context', () => {
    for (const [id, s] of ofType('AWS::Scheduler::Schedule')) {
      const input = String(prop(s.Properties, 'Target', 'Input'));
      const fired = input
        .replace('<aws.scheduler.scheduled-time>', '2026-11-30T00:00:00Z')
        .replace('<aws.scheduler.schedule-arn>', `arn:aws:scheduler:ap-northeast-2:000000000000:schedule/g/${id}`);

      expect(refTo(prop(s.Properties, 'Target', 'Arn'), 'Arn')).toBe('WindowLambdaFunction');
      expect(input).toContain('"scheduledTime":"<aws.scheduler.scheduled-time>"');
      expect(input).toContain('"scheduleArn":"<aws.scheduler.schedule-arn>"');
      expect(windowInputSchema.safeParse(JSON.parse(fired)).success, id).toBe(true);
    }
    // Pause and resume are one window: the resume releases the pause's holds.
    const actionsByWindow = new Map<unknown, unknown[]>();
    for (const s of windowSchedules()) {
      const { window, action } = JSON.parse(String(prop(s, 'Target', 'Input')));
      actionsByWindow.set(window, [...(actionsByWindow.get(window) ?? []), action]);
    }
    for (const actions of actionsByWindow.values()) expect([...actions].sort()).toEqual(['pause', 'resume']);
  });

  it('sweeps expired holds every five minutes', () => {
    const sweep = sweepSchedules();

    expect(sweep).toHaveLength(1);
    expect(sweep[0]?.ScheduleExpression).toBe('rate(5 minutes)');
    // Not the name it had before the windows file: a stack being upgraded still holds that one while this is created.
    expect(sweep[0]?.Name).toBe(`${CI_PREFIX}-sweep-expired-holds`);
    expect(JSON.parse(String(prop(sweep[0], 'Target', 'Input')))).toMatchObject({
      action: 'resume',
      scope: { all: true },
      options: { expiredHolds: true },
    });
  });

  it('lets the scheduler invoke the window function and reach the failures queue, and nothing else, through a role of its own', () => {
    for (const [, s] of ofType('AWS::Scheduler::Schedule')) {
      const roleId = refTo(prop(s.Properties, 'Target', 'RoleArn'), 'Arn');
      if (!roleId) throw new Error('schedule without a role from this template');
      const role = resource(roleId);
      const trusted = asArray(prop(role.Properties, 'AssumeRolePolicyDocument', 'Statement')).flatMap((st) =>
        asArray(prop(st, 'Principal', 'Service')),
      );
      const statements = statementsOf(role);

      expect(trusted).toEqual(['scheduler.amazonaws.com']);
      expect(statements.map((st) => st.Action)).toEqual([['lambda:InvokeFunction'], ['sqs:SendMessage']]);
      expect(JSON.stringify(statements[0]?.Resource)).toContain('"WindowLambdaFunction","Arn"');
      expect(statements[1]?.Resource.map((r) => refTo(r, 'Arn'))).toEqual([queueIdNamed(FAILURES_QUEUE)]);
      expect(statements.flatMap((st) => st.Resource)).not.toContain('*');
    }
  });

  it('puts a window fire that still fails after Lambda’s retries on the failures queue', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(
      ([, c]) => refTo(c.Properties.FunctionName) === 'WindowLambdaFunction',
    );
    const config = configs[0]?.[1].Properties;

    expect(configs).toHaveLength(1);
    expect(refTo(prop(config, 'DestinationConfig', 'OnFailure', 'Destination'), 'Arn')).toBe(queueIdNamed(FAILURES_QUEUE));
    expect(prop(config, 'MaximumRetryAttempts')).toBeGreaterThanOrEqual(1);
    // Lambda delivers to the destination with the function's own role.
    expect(grantedTargets('window', 'sqs:SendMessage')).toContain(queueIdNamed(FAILURES_QUEUE));
  });

  it('alarms when the scheduler cannot invoke the window function at all (a failure Lambda never sees)', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const delivery = alarms.find((a) => a.Namespace === 'AWS/Scheduler');
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, s]) => refTo(s.Properties.GroupName));

    expect(delivery?.MetricName).toBe('TargetErrorCount');
    expect(new Set(schedules)).toEqual(new Set([refTo(prop(delivery?.Dimensions, 0, 'Value'))]));
  });

  it('reports partial batch failures on every queue mapping, and caps each provider’s worker concurrency', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const worker = mappings.filter((m) => refTo(m.FunctionName, 'Arn') === 'WorkerLambdaFunction');
    const commands = mappings.filter((m) => refTo(m.FunctionName, 'Arn') === 'CommandsLambdaFunction');

    for (const m of mappings) expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(commands.map((m) => queueName(refTo(m.EventSourceArn, 'Arn') ?? ''))).toEqual([`${PREFIX}-commands`]);
    expect(worker.map((m) => queueName(refTo(m.EventSourceArn, 'Arn') ?? '')).sort()).toEqual([...WORK_QUEUES].sort());
    for (const m of worker) expect(prop(m, 'ScalingConfig', 'MaximumConcurrency')).toBeGreaterThanOrEqual(2);
  });

  it('allows no secrets or queue action on every resource, in any role', () => {
    const broad = allStatements().filter(({ statement }) => {
      if (statement.Effect !== 'Allow') return false;
      const touches = statement.Action.some((a) => a === '*' || a.startsWith('secretsmanager:') || a.startsWith('sqs:'));
      const wildcardAction = statement.Action.some((a) => a === '*' || a === 'secretsmanager:*' || a === 'sqs:*');
      return touches && (wildcardAction || statement.Resource.includes('*'));
    });

    expect(broad).toEqual([]);
  });

  it('gives each function a role of its own that reads only the secrets under the prefix, and redrive none', () => {
    const roles = FUNCTIONS.map((f) =>
      refTo(resource(`${f[0]?.toUpperCase()}${f.slice(1)}LambdaFunction`).Properties.Role, 'Arn'),
    );
    expect(new Set(roles).size).toBe(FUNCTIONS.length);

    for (const f of ['window', 'commands', 'incident', 'worker'] as const) {
      expect(grantedTargets(f, 'secretsmanager:GetSecretValue'), f).toEqual([{ 'Fn::Sub': SECRETS_ARN }]);
    }
    expect(grantedTargets('redrive', 'secretsmanager:GetSecretValue')).toEqual([]);
    const secretActions = allStatements().flatMap(({ statement }) =>
      statement.Action.filter((a) => a.startsWith('secretsmanager:')),
    );
    expect(new Set(secretActions)).toEqual(new Set(['secretsmanager:GetSecretValue']));
  });

  it('lets the functions that call providers assume exactly the DMS roles of the stage’s accounts file, and redrive none', async () => {
    const { accounts } = JSON.parse(await readFile(join(ROOT, 'config/accounts.ci.json'), 'utf8')) as {
      accounts: Array<{ roleArn?: string }>;
    };
    const roles = accounts.flatMap((a) => (a.roleArn === undefined ? [] : [a.roleArn]));
    expect(roles).toHaveLength(1);

    for (const f of ['window', 'commands', 'incident', 'worker'] as const) {
      expect(grantedTargets(f, 'sts:AssumeRole'), f).toEqual(roles);
    }
    expect(grantedTargets('redrive', 'sts:AssumeRole')).toEqual([]);
    const stsActions = allStatements().flatMap(({ statement }) => statement.Action.filter((a) => a.startsWith('sts:')));
    expect(new Set(stsActions)).toEqual(new Set(['sts:AssumeRole']));
  });

  it('denies sts:AssumeRole outright to a stage whose accounts name no role', async () => {
    const providers = (await import(join(ROOT, 'config/providers.cjs'))).default as {
      assumeRoleStatement: (resolver: { resolveVariable: (name: string) => Promise<string> }) => Promise<unknown>;
    };

    const file = join(await mkdtemp(join(tmpdir(), 'mp-accounts-')), 'accounts.json');
    await writeFile(file, JSON.stringify({ accounts: [{ name: 'n', provider: 'ncp-object-migration', region: 'KR' }] }));

    const statement = await providers.assumeRoleStatement({ resolveVariable: async () => relative(ROOT, file) });

    expect(statement).toEqual({ Effect: 'Deny', Action: ['sts:AssumeRole'], Resource: '*' });
  });

  it('lets each function send only to its own queues', () => {
    const work = WORK_QUEUES.map(queueIdNamed);
    const failures = queueIdNamed(FAILURES_QUEUE);
    const sorted = (ids: Json[]) => ids.map(String).sort();

    // The worker too: it hands unfinished targets back to the work queues at its deadline.
    for (const f of ['window', 'commands', 'incident', 'worker'] as const) {
      expect(sorted(grantedTargets(f, 'sqs:SendMessage')), f).toEqual(sorted([failures, ...work]));
    }
    expect(grantedTargets('redrive', 'sqs:SendMessage')).toEqual([queueIdNamed(`${PREFIX}-commands`)]);
    expect(sorted(grantedTargets('redrive', 'sqs:ReceiveMessage'))).toEqual([failures]);
  });

  it('denies sending work to every principal but the functions IAM lets send it (no forged work messages)', () => {
    const [[, policy] = []] = ofType('AWS::SQS::QueuePolicy').filter(([, p]) =>
      asArray(p.Properties.Queues).some((q) => WORK_QUEUES.map(queueIdNamed).includes(refTo(q) ?? '')),
    );
    if (!policy) throw new Error('no policy on the work queues');
    expect(
      asArray(policy.Properties.Queues)
        .map((q) => refTo(q))
        .sort(),
    ).toEqual(WORK_QUEUES.map(queueIdNamed).sort());
    const [deny, ...others] = asArray(prop(policy.Properties, 'PolicyDocument', 'Statement'));
    expect(others).toEqual([]);
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage' });
    const admitted = asArray(prop(deny, 'Condition', 'ArnNotEquals', 'aws:PrincipalArn')).map((a) => refTo(a, 'Arn'));
    // Exactly the roles whose IAM lets them send to a work queue: the code's senders, and nobody else.
    const senders = ['window', 'commands', 'incident', 'worker', 'redrive'].filter((f) =>
      grantedTargets(f, 'sqs:SendMessage').some((t) => WORK_QUEUES.map(queueIdNamed).includes(String(t))),
    );
    expect(senders).toEqual(['window', 'commands', 'incident', 'worker']);
    expect(admitted.sort()).toEqual(senders.map(roleIdOf).sort());
  });

  it('admits to the commands queue only the publishers the stage names, and its own redrive', () => {
    const [[, policy] = []] = ofType('AWS::SQS::QueuePolicy').filter(([, p]) =>
      asArray(p.Properties.Queues).some((q) => refTo(q) === queueIdNamed(`${PREFIX}-commands`)),
    );
    if (!policy) throw new Error('no policy on the commands queue');
    const [deny] = asArray(prop(policy.Properties, 'PolicyDocument', 'Statement'));
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 'sqs:SendMessage' });
    const joined = prop(deny, 'Condition', 'ArnNotLike', 'aws:PrincipalArn', 'Fn::Split', 1, 'Fn::Join', 1);
    const [redrive, publishers] = asArray(joined);
    expect(refTo(redrive, 'Arn')).toBe(roleIdOf('redrive'));
    expect(prop(publishers, 'Fn::Join', 1)).toEqual([`arn:aws:iam::*:role/${PREFIX}-publisher`]);
  });

  it('lets the ledger’s users do exactly what lib/aws/ledger-dynamodb.ts sends, on the ledger table and its indexes only', async () => {
    const source = await readFile(join(ROOT, 'lib/aws/ledger-dynamodb.ts'), 'utf8');
    const needed = ledgerActionsUsedBy(source);

    for (const f of ['window', 'commands', 'incident', 'worker'] as const) {
      const statements = statementsOf(functionRole(f)).filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
      expect(new Set(statements.flatMap((s) => s.Action)), f).toEqual(needed);
      for (const s of statements) {
        expect(JSON.stringify(s.Resource), f).not.toMatch(/"\*"/);
        for (const r of s.Resource) expect(JSON.stringify(r), f).toContain('"LedgerTable","Arn"');
      }
    }
    expect(statementsOf(functionRole('redrive')).flatMap((s) => s.Action.filter((a) => a.startsWith('dynamodb:')))).toEqual([]);
  });

  it('raises an alarm on the SNS topic for every DLQ and for the failures queue', () => {
    const topics = ofType('AWS::SNS::Topic').map(([id]) => id);
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const watched = [...SOURCE_QUEUES.map((q) => `${q}-dlq`), FAILURES_QUEUE];

    for (const name of watched) {
      const alarm = alarms.find(
        (a) => a.Namespace === 'AWS/SQS' && refTo(prop(a.Dimensions, 0, 'Value'), 'QueueName') === queueIdNamed(name),
      );
      expect(alarm?.MetricName, name).toBe('ApproximateNumberOfMessagesVisible');
      expect(alarm?.Threshold, name).toBe(0);
      expect(alarm?.ComparisonOperator, name).toBe('GreaterThanThreshold');
      expect(
        asArray(alarm?.AlarmActions).map((t) => refTo(t)),
        name,
      ).toEqual(topics);
    }
  });

  it('keeps the ledger with point-in-time recovery, TTL and the agreed keys', () => {
    const [[id, table] = ['', undefined]] = ofType('AWS::DynamoDB::Table');
    const p = table?.Properties;

    expect(p?.TableName).toBe(`${PREFIX}-ledger`);
    expect(p?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(prop(p, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled')).toBe(true);
    expect(prop(p, 'TimeToLiveSpecification')).toEqual({ AttributeName: LEDGER_TABLE.ttlAttribute, Enabled: true });
    expect(prop(p, 'KeySchema')).toEqual([
      { AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    // The table CreateTable makes in the tests is the one CloudFormation makes: keys, attribute types, indexes.
    const created = createLedgerTableInput(String(p?.TableName));
    expect(prop(p, 'AttributeDefinitions')).toEqual(created.AttributeDefinitions);
    expect(prop(p, 'GlobalSecondaryIndexes')).toEqual(created.GlobalSecondaryIndexes);
    expect(prop(p, 'GlobalSecondaryIndexes', 0, 'IndexName')).toBe(LEDGER_TABLE.commandIndex.name);
    expect(prop(p, 'GlobalSecondaryIndexes', 0, 'KeySchema')).toEqual([
      { AttributeName: LEDGER_TABLE.commandIndex.partitionKey, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE.commandIndex.sortKey, KeyType: 'RANGE' },
    ]);
    expect(prop(p, 'GlobalSecondaryIndexes', 1, 'IndexName')).toBe(LEDGER_TABLE.holdsIndex.name);
    expect(resource(id).DeletionPolicy).toBe('Retain');
  });

  it('tells each function where its table, queues and accounts are', () => {
    const work = environmentOf('window').MP_WORK_QUEUE_URLS;
    const parts = asArray(prop(work, 'Fn::Join', 1)).map((part) => (typeof part === 'string' ? part : `<${refTo(part)}>`));
    const urls = z.record(z.string(), z.string()).parse(JSON.parse(parts.join('')));

    expect(Object.keys(urls).sort()).toEqual([...PROVIDER_KEYS].sort());
    for (const [provider, url] of Object.entries(urls)) expect(queueName(url.slice(1, -1))).toBe(`${PREFIX}-work-${provider}`);
    for (const f of ['window', 'commands', 'incident', 'worker']) {
      const env = environmentOf(f);
      expect(env.MP_WORK_QUEUE_URLS, f).toEqual(work);
      expect(refTo(env.MP_LEDGER_TABLE), f).toBe('LedgerTable');
      expect(refTo(env.MP_FAILURES_QUEUE_URL), f).toBe(queueIdNamed(FAILURES_QUEUE));
    }
    expect(environmentOf('incident').MP_INPROCESS_LIMIT).toBeDefined();
    expect(refTo(environmentOf('redrive').MP_COMMANDS_QUEUE_URL)).toBe(queueIdNamed(`${PREFIX}-commands`));
    expect(refTo(environmentOf('redrive').MP_FAILURES_QUEUE_URL)).toBe(queueIdNamed(FAILURES_QUEUE));
    for (const f of FUNCTIONS) {
      expect(environmentOf(f).MP_ACCOUNTS_FILE, f).toBe('config/accounts.ci.json');
      expect(environmentOf(f).MP_SECRETS_PREFIX, f).toBe('migration-pauser/');
    }
  });
});

describe('the packaged bundles', () => {
  it('are one zip per function: its ESM handler and the stage’s accounts file where MP_ACCOUNTS_FILE says', async () => {
    const zips = (await readdir(dir)).filter((f) => f.endsWith('.zip')).sort();
    const accounts = await readFile(join(ROOT, 'config/accounts.ci.json'));

    expect(zips).toEqual(FUNCTIONS.map((f) => `${f}.zip`).sort());
    for (const f of FUNCTIONS) {
      const entries = readZip(await readFile(join(dir, `${f}.zip`)));
      expect([...entries.keys()].sort(), f).toEqual(
        ['config/accounts.ci.json', 'functions/package.json', `functions/${f}.js`].sort(),
      );
      expect(entries.get('config/accounts.ci.json')?.content().equals(accounts), f).toBe(true);
      // Lambda loads the `.js` bundle as an ES module because of this marker (config/esbuild-plugins.cjs).
      expect(JSON.parse(entries.get('functions/package.json')?.content().toString('utf8') ?? '{}'), f).toEqual({
        type: 'module',
      });
      expect(resource(`${f[0]?.toUpperCase()}${f.slice(1)}LambdaFunction`).Properties.Handler).toBe(`functions/${f}.handler`);
    }
  });

  it('leave the AWS SDK to the Lambda runtime, load it on first use, and stay within 250 KB each', async () => {
    for (const f of FUNCTIONS) {
      const bundle = readZip(await readFile(join(dir, `${f}.zip`))).get(`functions/${f}.js`);
      const code = bundle?.content().toString('utf8') ?? '';

      expect(bundle?.size, f).toBeLessThanOrEqual(250 * 1024);
      expect(code.startsWith("import { createRequire } from 'module';"), f).toBe(true);
      expect(code, f).toMatch(/import\("@aws-sdk\/client-/);
      // A static import of an SDK package loads it at cold start (~40–50 ms each), whether the invocation needs it or not.
      expect(code.match(/(?:import|export)[^;("']*from\s*"@aws-sdk\/[^"]+"/g) ?? [], f).toEqual([]);
    }
  });
});
