import { seededUuid } from '../random';
import { CHOSEN_CODES, dcsError, json, type Reply } from '../replies';
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

/** Huawei DCS v2 Redis migration (providers.md section 4): stop terminates, restart starts again. */
const PROVIDER = 'huawei-dcs' as const;

export const DCS_STOPPABLE = new Set(['MIGRATING', 'FULLMIGRATING', 'INCRMIGEATING']);
export const DCS_BATCH_LIMIT = 50;

const bad = (message: string) => dcsError(400, CHOSEN_CODES.dcsBadRequest, message);
const notFound = () => dcsError(400, 'DCS.4133', 'The migration task does not exist.');

/** `collection` is `migration-task` or `migration-tasks`; `rest` the raw segments after it. */
export function matchDcs(
  projectId: string,
  method: string,
  collection: string,
  rest: readonly string[],
): MatchedRoute | undefined {
  const [first, action, ...extra] = rest;
  if (extra.length > 0) return undefined;
  if (collection === 'migration-tasks') {
    if (first === undefined && method === 'GET') return { projectId, handle: listTasks };
    if (first === 'batch-restart' && action === undefined && method === 'POST') return { projectId, handle: batchRestart };
    return undefined;
  }
  if (first === undefined || first === '') return undefined;
  if (first === 'batch-stop' && action === undefined && method === 'POST') return { projectId, handle: batchStop };
  const id = decodeSegment(first);
  if (action === undefined && method === 'GET')
    return { projectId, handle: (c) => withTask(c, id, (t) => json(200, taskBody(t, c))) };
  if (action === 'stop' && method === 'POST') return { projectId, handle: (c) => withTask(c, id, (t) => stopOne(c, t)) };
  return undefined;
}

function ownTask(context: RouteContext, id: string): StoredTask | undefined {
  const task = context.store.get(PROVIDER, id);
  return task !== undefined && task.task.account === context.account.name ? task : undefined;
}

function withTask(context: RouteContext, id: string | undefined, answer: (task: StoredTask) => Reply): Reply {
  const task = id === undefined ? undefined : ownTask(context, id);
  return task === undefined ? notFound() : answer(task);
}

function listTasks(context: RouteContext): Reply {
  const { query } = context;
  const unknown = unknownParameter(query, ['offset', 'limit', 'name']);
  if (unknown !== undefined) return bad(`unknown parameter ${unknown}`);
  const offset = integerParameter(query, 'offset', 0, 2_147_483_647);
  const limit = integerParameter(query, 'limit', 1, 1000);
  if (!offset.ok) return bad('offset must be a non-negative integer');
  if (!limit.ok) return bad('limit must be an integer from 1 to 1000');
  const name = query.get('name');
  const matching = context.store.list(PROVIDER, context.account.name).filter((t) => name === null || t.task.name.includes(name));
  const from = offset.value ?? 0;
  const tasks = matching.slice(from, from + (limit.value ?? 10)).map((t) => taskBody(t, context));
  return json(200, { count: matching.length, migration_tasks: tasks });
}

function stop(context: RouteContext, task: StoredTask): void {
  context.store.transition(task, 'TERMINATING', [{ afterMs: context.transitionMs, state: 'TERMINATED' }]);
}

function stopOne(context: RouteContext, task: StoredTask): Reply {
  const failure = consumeFailure(task.task);
  if (failure !== undefined) return dcsError(400, failure.code, failure.message);
  if (!DCS_STOPPABLE.has(task.task.state)) return invalidStateError(task);
  stop(context, task);
  return json(200, taskBody(task, context));
}

function invalidStateError(task: StoredTask): Reply {
  return dcsError(
    400,
    CHOSEN_CODES.dcsInvalidState,
    `The migration task status ${task.task.state} does not allow this operation.`,
  );
}

type BatchResult = { task_id: string; result: 'success' | 'failed'; error_code?: string; error_msg?: string };

function batch(context: RouteContext, act: (task: StoredTask) => BatchResult): Reply {
  const parsed = jsonObjectBody(context);
  if (!parsed.ok) return bad(parsed.why);
  const { migration_tasks: ids, ...others } = parsed.value;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined) return bad(`unknown field ${unknown}`);
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > DCS_BATCH_LIMIT) {
    return bad(`migration_tasks must list 1 to ${DCS_BATCH_LIMIT} task ids`);
  }
  const taskIds: string[] = [];
  for (const id of ids) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) return bad('every task id must be a non-empty string');
    taskIds.push(id);
  }
  if (taskIds.some((id) => ownTask(context, id)?.task.rejectsBatch === true)) {
    return dcsError(400, CHOSEN_CODES.dcsBatchRejected, 'The request contains a task that cannot be processed in a batch.');
  }
  const results = taskIds.map((id): BatchResult => {
    const task = ownTask(context, id);
    if (task === undefined) return failed(context, id, 'DCS.4133', 'The migration task does not exist.');
    const failure = consumeFailure(task.task);
    if (failure !== undefined) return failed(context, id, failure.code, failure.message);
    return act(task);
  });
  return json(200, { migration_tasks: results });
}

/**
 * One task refused inside a 200: its message is free text (an echoing provider quotes the account's keys in it; not
 * the task's Redis passwords, which a batch answer does not carry and no client could recognise there).
 */
function failed(context: RouteContext, taskId: string, code: string, message: string): BatchResult {
  return { task_id: taskId, result: 'failed', error_code: context.echo.code(code), error_msg: context.echo.text(message) };
}

function batchStop(context: RouteContext): Reply {
  return batch(context, (task) => {
    if (!DCS_STOPPABLE.has(task.task.state)) {
      return failed(
        context,
        task.task.id,
        CHOSEN_CODES.dcsInvalidState,
        `The migration task status ${task.task.state} does not allow this operation.`,
      );
    }
    stop(context, task);
    return { task_id: task.task.id, result: 'success' };
  });
}

function batchRestart(context: RouteContext): Reply {
  return batch(context, (task) => {
    if ((task.task.migrationType ?? 'online_migration') !== 'online_migration') {
      return failed(context, task.task.id, CHOSEN_CODES.dcsRestartUnsupported, 'Only online migration tasks can be restarted.');
    }
    if (task.task.state !== 'TERMINATED') {
      return failed(
        context,
        task.task.id,
        CHOSEN_CODES.dcsInvalidState,
        `The migration task status ${task.task.state} does not allow this operation.`,
      );
    }
    context.store.transition(task, undefined, [{ afterMs: context.transitionMs, state: 'MIGRATING' }]);
    return { task_id: task.task.id, result: 'success' };
  });
}

/** `2019/10/22 14:44:30`, the format DCS uses. */
function dcsTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '/')} ${iso.slice(11, 19)}`;
}

/**
 * The real API returns the Redis passwords in task bodies; the simulator does too, with recognisable fake
 * values, so tests can prove they never reach a log, ledger or DLQ message.
 */
export function fakeRedisPasswords(order: number): { source: string; target: string } {
  return { source: `FAKE-REDIS-PW-${order + 1}`, target: `FAKE-REDIS-TARGET-PW-${order + 1}` };
}

function taskBody(task: StoredTask, context: RouteContext): Record<string, unknown> {
  const n = task.order + 1;
  const online = (task.task.migrationType ?? 'online_migration') === 'online_migration';
  const passwords = fakeRedisPasswords(task.order);
  // An echoing provider quotes the task's own passwords too: this body carries them anyway.
  const echo = (text: string) => context.echo.text(text, online ? [passwords.source, passwords.target] : [passwords.target]);
  const body: Record<string, unknown> = {
    task_id: task.task.id,
    task_name: echo(task.task.name),
    description: echo(''),
    status: task.task.state,
    migration_type: task.task.migrationType ?? 'online_migration',
    migration_method: online ? 'incremental_migration' : 'full_amount_migration',
    ecs_tenant_private_ip: `192.168.0.${n % 250}`,
    network_type: 'vpc',
    target_instance: {
      id: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
      name: echo(`redis-target-${n}`),
      password: passwords.target,
    },
    created_at: dcsTime(fakeDate(task.order)),
    updated_at: dcsTime(fakeDate(task.order + 1)),
  };
  if (online) body.source_instance = { addrs: `192.168.1.${n % 250}:6379`, password: passwords.source };
  else
    body.backup_files = {
      file_source: 'self_build_obs',
      bucket_name: `redis-backup-${n}`,
      files: [{ file_name: `dump-${n}.rdb`, size: '1024' }],
    };
  return body;
}

/** A generated DCS fleet: every seventh task a backup-file import, which can be stopped but never restarted. */
export const dcsFleet: SimFleet = {
  states: {
    running: ['MIGRATING', 'FULLMIGRATING', 'INCRMIGEATING'],
    paused: ['TERMINATED'],
    finished: ['SUCCESS', 'RELEASED'],
    failed: ['FAILED', 'MIGRATION_FAILED'],
    waiting: ['RUNNING'],
  },
  short: 'dcs',
  refusalCode: 'DCS.4135',
  accountExtras: (n) => ({ region: 'ap-southeast-1', projectId: `fakeprojectdcs${n}` }),
  task: (account, state, index, n, random) => {
    const migrationType = index % 7 === 3 ? 'backupfile_import' : 'online_migration';
    return { provider: PROVIDER, account, id: seededUuid(random), name: `redis-migration-${n}`, state, migrationType };
  },
};
