import type { ActionOptions } from '../../core/command';
import { ProviderError } from '../../core/errors';
import type { HuaweiClient } from '../huawei/client';
import type { ActionResult, ProviderSession, ProviderTask } from '../types';
import { omsManifest } from './manifest';
import { buildOmsResumeBody } from './resume-body';
import { omsTaskListSchema, omsTaskSchema, parseOmsBody, toProviderTask } from './task';

/** OMS allows at most 100 tasks a page (default 10). */
export const OMS_PAGE_SIZE = 100;

export interface OmsSessionOptions {
  accountName: string;
  projectId: string;
  /** The account's parsed secret; resume reads the task keys from its `oms` section. */
  secret: Record<string, unknown>;
  secretRef: string;
  /** Anything that sends a signed Huawei request: the real HuaweiClient, or a fake in unit tests. */
  client: Pick<HuaweiClient, 'request'>;
}

/** One account's OMS tasks: one call per task for every action (OMS has no batch call for tasks). */
export function createOmsSession(options: OmsSessionOptions): ProviderSession {
  const { client, accountName } = options;
  const tasksPath = `/v2/${encodeURIComponent(options.projectId)}/tasks`;
  const taskPath = (taskId: string) => `${tasksPath}/${encodeURIComponent(taskId)}`;

  async function list(): Promise<ProviderTask[]> {
    const tasks = new Map<string, ProviderTask>();
    // `count` is the total matching, so walk offsets until we have read that many (or a page comes back empty).
    for (let offset = 0; ; ) {
      const response = await client.request({ method: 'GET', path: tasksPath, query: { limit: OMS_PAGE_SIZE, offset } });
      const page = parseOmsBody(omsTaskListSchema, response.json, 'list tasks');
      for (const task of page.tasks) tasks.set(task.id, toProviderTask(accountName, task));
      offset += page.tasks.length;
      if (page.tasks.length === 0 || offset >= page.count) break;
    }
    return [...tasks.values()];
  }

  async function getOne(taskId: string): Promise<ProviderTask | ProviderError> {
    try {
      const response = await client.request({ method: 'GET', path: taskPath(taskId), taskId });
      return toProviderTask(accountName, parseOmsBody(omsTaskSchema, response.json, 'get task', taskId));
    } catch (error) {
      return asTaskError(error, taskId);
    }
  }

  async function act(taskId: string, call: () => Promise<unknown>): Promise<ActionResult> {
    try {
      await call();
      return { taskId, ok: true };
    } catch (error) {
      return { taskId, ok: false, error: asTaskError(error, taskId) };
    }
  }

  function stop(task: ProviderTask): Promise<ActionResult> {
    // Stop is valid only while migrating (2); the task then goes 2 → 7 → 3, which the pipeline confirms.
    return act(task.taskId, () =>
      client.request({ method: 'POST', path: `${taskPath(task.taskId)}/stop`, taskId: task.taskId, action: true }),
    );
  }

  async function start(task: ProviderTask, actionOptions: ActionOptions): Promise<ActionResult> {
    const built = buildOmsResumeBody({
      secret: options.secret,
      secretRef: options.secretRef,
      taskId: task.taskId,
      migrateFailedObject: omsManifest.options.parse(actionOptions['huawei-oms'] ?? {}).migrateFailedObject,
    });
    // Without the task's destination keys OMS would refuse the call anyway: fail here and send nothing.
    if (!built.ok) return { taskId: task.taskId, ok: false, error: built.error };
    const result = await act(task.taskId, () =>
      client.request({
        method: 'POST',
        path: `${taskPath(task.taskId)}/start`,
        body: built.body,
        taskId: task.taskId,
        action: true,
      }),
    );
    // The signing keys are redacted by the client; the task's own keys are ours to keep out of the message.
    return result.ok ? result : { ...result, error: redacted(result.error, Object.values(built.body)) };
  }

  return {
    list,
    async get(taskIds) {
      const entries = await Promise.all(taskIds.map(async (id) => [id, await getOne(id)] as const));
      return new Map(entries);
    },
    pause: (tasks) => Promise.all(tasks.map(stop)),
    resume: (tasks, actionOptions) => Promise.all(tasks.map((task) => start(task, actionOptions))),
  };
}

/** A ProviderError attributed to the task; anything else (a bug) is not ours to swallow. */
function asTaskError(error: unknown, taskId: string): ProviderError {
  if (!(error instanceof ProviderError)) throw error;
  return error.taskId === taskId ? error : error.forTask(taskId);
}

/** The same error with every task credential value removed from its message (OMS may echo what it was sent). */
function redacted(error: ProviderError, values: readonly unknown[]): ProviderError {
  let message = error.message;
  for (const value of values) {
    if (typeof value === 'string' && value.length > 0) message = message.split(value).join('[redacted]');
  }
  return message === error.message ? error : new ProviderError(message, error.details());
}
