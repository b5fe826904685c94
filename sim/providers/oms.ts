import { CHOSEN_CODES, emptyOk, json, type Reply, serviceError } from '../replies';
import type { StoredTask } from '../task-store';
import { decodeSegment } from '../template';
import type { SimFleet } from '../types';
import {
  consumeFailure,
  fakeDate,
  integerParameter,
  jsonObjectBody,
  type MatchedRoute,
  type RouteContext,
  unknownParameter,
} from './context';

/** Huawei OMS v2 (providers.md section 2). Status on the wire is a number; the store keeps it as a string. */
const PROVIDER = 'huawei-oms' as const;

const bad = (message: string) => serviceError(400, CHOSEN_CODES.omsBadRequest, message);
const notFound = () => serviceError(400, 'OMS.1009', 'The task does not exist.');

/** `rest` are the raw segments after `/v2/{project_id}/tasks`. */
export function matchOms(projectId: string, method: string, rest: readonly string[]): MatchedRoute | undefined {
  const [rawId, action, ...extra] = rest;
  if (extra.length > 0) return undefined;
  if (rawId === undefined) return method === 'GET' ? { projectId, handle: listTasks } : undefined;
  if (rawId === '') return undefined;
  const id = decodeSegment(rawId);
  if (action === undefined && method === 'GET')
    return { projectId, handle: (c) => withTask(c, id, (t) => json(200, taskBody(t, c))) };
  if (action === 'stop' && method === 'POST') return { projectId, handle: (c) => withTask(c, id, (t) => stop(c, t)) };
  if (action === 'start' && method === 'POST') return { projectId, handle: (c) => withTask(c, id, (t) => start(c, t)) };
  return undefined;
}

function withTask(context: RouteContext, id: string | undefined, answer: (task: StoredTask) => Reply): Reply {
  const task = id === undefined ? undefined : context.store.get(PROVIDER, id);
  if (task === undefined || task.task.account !== context.account.name) return notFound();
  return answer(task);
}

function listTasks(context: RouteContext): Reply {
  const { query } = context;
  const unknown = unknownParameter(query, ['limit', 'offset', 'status', 'group_id']);
  if (unknown !== undefined) return bad(`unknown parameter ${unknown}`);
  const limit = integerParameter(query, 'limit', 1, 100);
  const offset = integerParameter(query, 'offset', 0, 2_147_483_647);
  const status = integerParameter(query, 'status', 0, 7);
  if (!limit.ok) return bad('limit must be an integer from 1 to 100');
  if (!offset.ok) return bad('offset must be a non-negative integer');
  if (!status.ok) return bad('status must be an integer from 0 to 7');
  const groupId = query.get('group_id');
  const matching = context.store
    .list(PROVIDER, context.account.name)
    .filter((t) => status.value === undefined || t.task.state === String(status.value))
    .filter((t) => groupId === null || groupIdOf(t) === groupId);
  const from = offset.value ?? 0;
  const tasks = matching.slice(from, from + (limit.value ?? 10)).map((t) => taskBody(t, context));
  return json(200, { tasks, count: matching.length });
}

function stop(context: RouteContext, task: StoredTask): Reply {
  const failure = consumeFailure(task.task);
  if (failure !== undefined) return serviceError(400, failure.code, failure.message);
  if (task.task.state !== '2')
    return serviceError(400, 'OMS.0066', 'The task is not in the migrating state and cannot be paused.');
  context.store.transition(task, '7', [{ afterMs: context.transitionMs, state: '3' }]);
  return emptyOk;
}

const START_FIELDS: Record<string, number | 'boolean'> = {
  src_ak: 100,
  src_sk: 100,
  json_auth_file: 65_535,
  src_security_token: 16_384,
  dst_ak: 100,
  dst_sk: 100,
  dst_security_token: 16_384,
  source_cdn_authentication_key: 255,
  connection_string: 65_535,
  migrate_failed_object: 'boolean',
};

function start(context: RouteContext, task: StoredTask): Reply {
  const parsed = jsonObjectBody(context);
  if (!parsed.ok) return bad(parsed.why);
  const body = parsed.value;
  for (const [name, value] of Object.entries(body)) {
    const rule = START_FIELDS[name];
    if (rule === undefined) return bad(`unknown field ${name}`);
    if (rule === 'boolean' ? typeof value !== 'boolean' : typeof value !== 'string' || value.length > rule) {
      return bad(`invalid field ${name}`);
    }
  }
  for (const name of ['dst_ak', 'dst_sk']) {
    const value = body[name];
    if (typeof value !== 'string' || value.length === 0) return bad(`${name} is required`);
  }
  const keys = context.account.oms;
  if (keys !== undefined) {
    const wrong =
      body.dst_ak !== keys.dst_ak ||
      body.dst_sk !== keys.dst_sk ||
      (keys.src_ak !== undefined && body.src_ak !== keys.src_ak) ||
      (keys.src_sk !== undefined && body.src_sk !== keys.src_sk);
    // Never echo the keys themselves.
    if (wrong) return serviceError(400, CHOSEN_CODES.omsWrongTaskKeys, 'The AK/SK of the source or destination is incorrect.');
  }
  const failure = consumeFailure(task.task);
  if (failure !== undefined) return serviceError(400, failure.code, failure.message);
  if (task.task.state === '7') return serviceError(400, 'OMS.0063', 'The task is busy.');
  if (task.task.state !== '3' && task.task.state !== '4') {
    return serviceError(400, CHOSEN_CODES.omsCannotStart, 'Only a paused or failed task can be started.');
  }
  context.store.transition(task, '1', [{ afterMs: context.transitionMs, state: '2' }]);
  return emptyOk;
}

function groupIdOf(task: StoredTask): string {
  return task.order % 4 === 0 ? `group-${task.task.account}` : '';
}

/** OMS ids are 15-digit integers on the wire: below 2^53, so a JSON number is exact. */
function wireNumber(text: string): number | string {
  return /^\d{1,15}$/.test(text) ? Number(text) : text;
}

function taskBody(task: StoredTask, context: RouteContext): Record<string, unknown> {
  const n = task.order + 1;
  const total = 5_000_000_000 * n;
  const status = wireNumber(task.task.state);
  const progress = task.task.state === '5' ? 1 : 0.5;
  const body: Record<string, unknown> = {
    id: wireNumber(task.task.id),
    name: context.echo.text(task.task.name),
    status,
    progress,
    complete_size: Math.floor(total * progress),
    total_size: total,
    group_id: groupIdOf(task),
    task_type: 'object',
    start_time: fakeDate(task.order).getTime(),
    src_node: { region: 'cn-north-1', bucket: `source-bucket-${n}`, cloud_type: 'AWS' },
    dst_node: { region: 'ap-southeast-1', bucket: `target-bucket-${n}` },
  };
  if (task.task.state === '4')
    body.error_reason = { error_code: 'OMS.0503', error_msg: context.echo.text('simulated migration failure') };
  return body;
}

/** A generated OMS fleet: 15-digit task ids, and the destination keys a start needs in each account. */
export const omsFleet: SimFleet = {
  states: { running: ['2'], paused: ['3'], finished: ['5'], failed: ['4'], waiting: ['1'] },
  short: 'oms',
  refusalCode: 'OMS.0066',
  accountExtras: (n) => ({
    region: 'ap-southeast-1',
    projectId: `fakeprojectoms${n}`,
    oms: { dst_ak: `FAKE-OMS-DST-AK-${n}`, dst_sk: `FAKE-OMS-DST-SK-${n}` },
  }),
  task: (account, state, index, n, random) => {
    const id = String(191_297_407_000_000 + index * 1_000 + Math.floor(random() * 1_000));
    return { provider: PROVIDER, account, id, name: `oms-task-${n}`, state };
  },
};
