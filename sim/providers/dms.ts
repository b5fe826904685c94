import { AWS_JSON, awsJsonError, type Reply } from '../replies';
import type { StoredTask } from '../task-store';
import type { SimFleet } from '../types';
import { consumeFailure, fakeDate, isPlainObject, type MatchedRoute, type RouteContext } from './context';

/**
 * AWS DMS replication tasks over AWS JSON 1.1 (`X-Amz-Target: AmazonDMSv20160101.<Operation>`, DMS API reference):
 * DescribeReplicationTasks, StopReplicationTask and StartReplicationTask, with the task state machine
 * running → stopping → stopped and stopped → starting → running.
 */
const PROVIDER = 'aws-dms' as const;
export const DMS_TARGET_PREFIX = 'AmazonDMSv20160101.';

/** DescribeReplicationTasks: MaxRecords from 20 to 100, default 100. */
const MIN_RECORDS = 20;
const MAX_RECORDS = 100;
const FILTER_NAMES = [
  'replication-task-arn',
  'replication-task-id',
  'migration-type',
  'endpoint-arn',
  'replication-instance-arn',
];
const START_TYPES = ['start-replication', 'resume-processing', 'reload-target'];

const ok = (body: unknown): Reply => ({ status: 200, body, contentType: AWS_JSON });
const invalidParameter = (message: string) => awsJsonError(400, 'InvalidParameterValueException', message);
const invalidState = (message: string) => awsJsonError(400, 'InvalidResourceStateFault', message);
const notFound = (message: string) => awsJsonError(400, 'ResourceNotFoundFault', message);

const OPERATIONS: Record<string, (context: RouteContext, input: Record<string, unknown>) => Reply> = {
  DescribeReplicationTasks: describeTasks,
  StopReplicationTask: stopTask,
  StartReplicationTask: startTask,
};

/** The route an `X-Amz-Target` names; undefined for an operation the simulator does not serve. */
export function matchDms(target: string): MatchedRoute | undefined {
  const name = target.slice(DMS_TARGET_PREFIX.length);
  if (!target.startsWith(DMS_TARGET_PREFIX) || !Object.hasOwn(OPERATIONS, name)) return undefined;
  const operation = OPERATIONS[name];
  if (operation === undefined) return undefined;
  return {
    handle: (context) => {
      if ((context.headers['content-type'] ?? '').split(';')[0]?.trim() !== AWS_JSON)
        return awsJsonError(400, 'SerializationException', `Content-Type must be ${AWS_JSON}`);
      let input: unknown;
      try {
        input = context.body === '' ? {} : JSON.parse(context.body);
      } catch {
        return awsJsonError(400, 'SerializationException', 'the request body is not valid JSON');
      }
      if (!isPlainObject(input)) return awsJsonError(400, 'SerializationException', 'the request body must be a JSON object');
      return operation(context, input);
    },
  };
}

/** The simulator's fake ARN of a DMS resource of the account's region. */
export function dmsArn(region: string, kind: 'task' | 'rep' | 'endpoint', id: string): string {
  return `arn:aws:dms:${region}:000000000000:${kind}:${id}`;
}

function ownTasks(context: RouteContext): StoredTask[] {
  return context.store.list(PROVIDER, context.account.name);
}

function ownTask(context: RouteContext, arn: unknown): StoredTask | undefined {
  if (typeof arn !== 'string') return undefined;
  const task = context.store.get(PROVIDER, arn);
  return task !== undefined && task.task.account === context.account.name ? task : undefined;
}

function describeTasks(context: RouteContext, input: Record<string, unknown>): Reply {
  const { MaxRecords: maxRecords, Marker: marker, Filters: filters, WithoutSettings: withoutSettings } = input;
  const size = maxRecords === undefined ? MAX_RECORDS : maxRecords;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < MIN_RECORDS || size > MAX_RECORDS)
    return invalidParameter(`MaxRecords must be between ${MIN_RECORDS} and ${MAX_RECORDS}`);
  if (withoutSettings !== undefined && typeof withoutSettings !== 'boolean')
    return invalidParameter('WithoutSettings must be a boolean');
  let offset = 0;
  if (marker !== undefined) {
    const decoded = typeof marker === 'string' ? decodeMarker(marker) : undefined;
    if (decoded === undefined) return invalidParameter('Invalid Marker');
    offset = decoded;
  }
  const matches: Array<(task: StoredTask) => boolean> = [];
  if (filters !== undefined) {
    if (!Array.isArray(filters)) return invalidParameter('Filters must be a list');
    for (const filter of filters) {
      if (!isPlainObject(filter) || typeof filter.Name !== 'string' || !Array.isArray(filter.Values))
        return invalidParameter('each filter needs a Name and a list of Values');
      if (!FILTER_NAMES.includes(filter.Name)) return invalidParameter(`Invalid filter name: ${filter.Name}`);
      const values = filter.Values;
      if (values.length === 0 || values.some((v) => typeof v !== 'string'))
        return invalidParameter('filter Values must be strings');
      const name = filter.Name;
      matches.push((task) => values.includes(filterValue(context, task, name)));
    }
  }
  const matching = ownTasks(context).filter((task) => matches.every((match) => match(task)));
  // DMS answers a filter that matches nothing with a fault, not an empty list.
  if (matching.length === 0 && matches.length > 0) return notFound('No Tasks found matching provided filters');
  const page = matching.slice(offset, offset + size);
  const next = offset + size < matching.length ? encodeMarker(offset + size) : undefined;
  return ok({
    ReplicationTasks: page.map((task) => taskBody(context, task, withoutSettings !== true)),
    ...(next === undefined ? {} : { Marker: next }),
  });
}

function filterValue(context: RouteContext, task: StoredTask, name: string): string {
  const region = context.account.region;
  switch (name) {
    case 'replication-task-arn':
      return task.task.id;
    case 'replication-task-id':
      return task.task.name;
    case 'migration-type':
      return migrationType(task);
    case 'replication-instance-arn':
      return dmsArn(region, 'rep', `FAKEREPINSTANCE${task.order % 3}`);
    default:
      return dmsArn(region, 'endpoint', `FAKESOURCE${task.order % 5}`);
  }
}

function stopTask(context: RouteContext, input: Record<string, unknown>): Reply {
  const task = ownTask(context, input.ReplicationTaskArn);
  if (task === undefined) return notFound('Replication Task not found');
  const failure = consumeFailure(task.task);
  if (failure !== undefined) return awsJsonError(400, failure.code, failure.message);
  if (task.task.state !== 'running') return invalidState(`Replication task is not running (status: ${task.task.state})`);
  context.store.transition(task, 'stopping', [{ afterMs: context.transitionMs, state: 'stopped' }]);
  return ok({ ReplicationTask: taskBody(context, task, false) });
}

function startTask(context: RouteContext, input: Record<string, unknown>): Reply {
  const type = input.StartReplicationTaskType;
  if (typeof type !== 'string' || !START_TYPES.includes(type))
    return invalidParameter(`StartReplicationTaskType must be one of ${START_TYPES.join(', ')}`);
  const task = ownTask(context, input.ReplicationTaskArn);
  if (task === undefined) return notFound('Replication Task not found');
  const failure = consumeFailure(task.task);
  if (failure !== undefined) return awsJsonError(400, failure.code, failure.message);
  const { state } = task.task;
  // A task never started has nothing to resume from; a running one nothing to start.
  if (type === 'resume-processing' ? state !== 'stopped' && state !== 'failed' : state !== 'stopped' && state !== 'ready')
    return invalidState(`Replication task cannot be started with ${type} in status ${state}`);
  context.store.transition(task, 'starting', [{ afterMs: context.transitionMs, state: 'running' }]);
  return ok({ ReplicationTask: taskBody(context, task, false) });
}

function migrationType(task: StoredTask): string {
  return ['full-load-and-cdc', 'cdc', 'full-load-and-cdc', 'full-load'][task.order % 4] ?? 'cdc';
}

function taskBody(context: RouteContext, task: StoredTask, withSettings: boolean): Record<string, unknown> {
  const region = context.account.region;
  const created = fakeDate(task.order).getTime() / 1000;
  const body: Record<string, unknown> = {
    ReplicationTaskIdentifier: task.task.name,
    ReplicationTaskArn: task.task.id,
    SourceEndpointArn: filterValue(context, task, 'endpoint-arn'),
    TargetEndpointArn: dmsArn(region, 'endpoint', `FAKETARGET${task.order % 5}`),
    ReplicationInstanceArn: filterValue(context, task, 'replication-instance-arn'),
    MigrationType: migrationType(task),
    TableMappings: JSON.stringify({
      rules: [
        {
          'rule-type': 'selection',
          'rule-id': '1',
          'rule-name': '1',
          'object-locator': { 'schema-name': 'app', 'table-name': '%' },
          'rule-action': 'include',
        },
      ],
    }),
    Status: task.task.state,
    ReplicationTaskCreationDate: created,
    ReplicationTaskStartDate: created + 60,
    ReplicationTaskStats: {
      FullLoadProgressPercent: 100,
      ElapsedTimeMillis: 3_600_000,
      TablesLoaded: 12,
      TablesLoading: 0,
      TablesQueued: 0,
      TablesErrored: 0,
    },
  };
  if (task.task.state === 'stopped') body.StopReason = task.task.stopReason ?? 'Stop Reason NORMAL';
  if (task.task.state === 'failed')
    body.LastFailureMessage = context.echo.text('Last Error Task error notification received from subtask 0');
  // The settings are a large JSON document; WithoutSettings leaves them out.
  if (withSettings)
    body.ReplicationTaskSettings = JSON.stringify({
      TargetMetadata: { TargetSchema: '', SupportLobs: true, LobChunkSize: 64 },
      Logging: { EnableLogging: true },
      ControlTablesSettings: { HistoryTimeslotInMinutes: 5 },
    });
  return body;
}

function encodeMarker(offset: number): string {
  return Buffer.from(`fake-dms-marker:${offset}`, 'utf8').toString('base64');
}

function decodeMarker(marker: string): number | undefined {
  const match = /^fake-dms-marker:(\d{1,9})$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The region of generated DMS accounts, which their tasks' ARNs name. */
const FLEET_REGION = 'ap-northeast-2';

/** A generated DMS fleet: each account with a role (and an ExternalId) that its keys assume with STS. */
export const dmsFleet: SimFleet = {
  states: {
    running: ['running'],
    paused: ['stopped'],
    finished: ['deleting'],
    failed: ['failed', 'failed-move'],
    waiting: ['ready', 'creating'],
  },
  short: 'dms',
  refusalCode: 'InvalidResourceStateFault',
  accountExtras: (n) => ({
    region: FLEET_REGION,
    roleArn: `arn:aws:iam::000000000000:role/fake-dms-operator-${n}`,
    externalId: `fake-external-id-${n}`,
  }),
  task: (account, state, _index, n, random) => {
    const suffix = Array.from({ length: 22 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(random() * 32)]).join('');
    return { provider: PROVIDER, account, id: dmsArn(FLEET_REGION, 'task', `FAKE${suffix}`), name: `dms-task-${n}`, state };
  },
};
