import { ProviderError } from '../../core/errors';
import { callWithIsolation } from '../bisect';
import type { HuaweiClient } from '../huawei/client';
import type { ActionResult, ProviderSession, ProviderTask } from '../types';
import { classifyDcsCode } from './error-codes';
import {
  type DcsBatchResult,
  dcsBatchResultSchema,
  dcsTaskListSchema,
  dcsTaskSchema,
  parseDcsBody,
  toProviderTask,
} from './task';

/** DCS lists at most 1000 tasks a page (default 10). */
export const DCS_PAGE_SIZE = 1_000;
/** batch-stop and batch-restart take at most 50 ids. */
export const DCS_BATCH_LIMIT = 50;

export interface DcsSessionOptions {
  accountName: string;
  projectId: string;
  /** Anything that sends a signed Huawei request: the real HuaweiClient, or a fake in unit tests. */
  client: Pick<HuaweiClient, 'request'>;
}

type BatchOperation = 'batch-stop' | 'batch-restart';

/** One account's DCS migration tasks. Mind the paths: `migration-tasks` to list and restart, `migration-task` else. */
export function createDcsSession(options: DcsSessionOptions): ProviderSession {
  const { client, accountName } = options;
  const base = `/v2/${encodeURIComponent(options.projectId)}`;
  const taskPath = (taskId: string) => `${base}/migration-task/${encodeURIComponent(taskId)}`;
  const batchPaths: Record<BatchOperation, string> = {
    'batch-stop': `${base}/migration-task/batch-stop`,
    'batch-restart': `${base}/migration-tasks/batch-restart`,
  };

  async function list(): Promise<ProviderTask[]> {
    const tasks = new Map<string, ProviderTask>();
    // `offset` counts tasks, not pages; walk until we have read `count` (or a page comes back empty).
    for (let offset = 0; ; ) {
      const response = await client.request({
        method: 'GET',
        path: `${base}/migration-tasks`,
        query: { offset, limit: DCS_PAGE_SIZE },
      });
      const page = parseDcsBody(dcsTaskListSchema, response.json, 'list migration tasks');
      for (const task of page.migration_tasks) tasks.set(task.task_id, toProviderTask(accountName, task));
      offset += page.migration_tasks.length;
      if (page.migration_tasks.length === 0 || offset >= page.count) break;
    }
    return [...tasks.values()];
  }

  async function getOne(taskId: string): Promise<ProviderTask | ProviderError> {
    try {
      const response = await client.request({ method: 'GET', path: taskPath(taskId), taskId });
      return toProviderTask(accountName, parseDcsBody(dcsTaskSchema, response.json, 'get migration task', taskId));
    } catch (error) {
      return asTaskError(error, taskId);
    }
  }

  async function stopOne(taskId: string): Promise<ActionResult> {
    try {
      // The answer is the task, already TERMINATING; the pipeline confirms TERMINATED by reading it back.
      await client.request({ method: 'POST', path: `${taskPath(taskId)}/stop`, taskId, action: true });
      return { taskId, ok: true };
    } catch (error) {
      return { taskId, ok: false, error: asTaskError(error, taskId) };
    }
  }

  /** One batch call; throws when DCS refuses the batch as a whole, so callWithIsolation can split it. */
  async function callBatch(operation: BatchOperation, batch: readonly ProviderTask[]): Promise<ActionResult[]> {
    const ids = batch.map((task) => task.taskId);
    const response = await client.request({
      method: 'POST',
      path: batchPaths[operation],
      body: { migration_tasks: ids },
      action: true,
    });
    const results = parseDcsBody(dcsBatchResultSchema, response.json, operation).migration_tasks;
    const byId = new Map(results.map((result) => [result.task_id, result]));
    return ids.map((taskId) => toActionResult(operation, taskId, byId.get(taskId)));
  }

  function batched(operation: BatchOperation, tasks: readonly ProviderTask[]): Promise<ActionResult[]> {
    return inChunks(tasks, DCS_BATCH_LIMIT, (chunk) =>
      callWithIsolation(
        chunk,
        (task) => task.taskId,
        (batch) => callBatch(operation, batch),
      ),
    );
  }

  return {
    list,
    async get(taskIds) {
      const entries = await Promise.all(taskIds.map(async (id) => [id, await getOne(id)] as const));
      return new Map(entries);
    },
    async pause(tasks) {
      const [only] = tasks;
      if (tasks.length === 1 && only) return [await stopOne(only.taskId)];
      return batched('batch-stop', tasks);
    },
    async resume(tasks) {
      // The pipeline reports backupfile_import tasks `unsupported` before it gets here; never send them anyway.
      const restartable = tasks.filter((task) => task.resumeUnsupportedReason === undefined);
      const restarted = new Map((await batched('batch-restart', restartable)).map((result) => [result.taskId, result]));
      return tasks.map(
        (task) =>
          restarted.get(task.taskId) ?? {
            taskId: task.taskId,
            ok: false,
            error: new ProviderError(task.resumeUnsupportedReason ?? 'DCS cannot restart this task', {
              errorClass: 'bad-request',
              provider: 'huawei-dcs',
              taskId: task.taskId,
            }),
          },
      );
    },
  };
}

function toActionResult(operation: BatchOperation, taskId: string, result: DcsBatchResult | undefined): ActionResult {
  if (result === undefined) {
    const error = new ProviderError(`DCS ${operation} returned no result for task ${taskId}`, {
      errorClass: 'provider-error',
      provider: 'huawei-dcs',
      taskId,
    });
    return { taskId, ok: false, error };
  }
  if (result.result.toLowerCase() === 'success') return { taskId, ok: true };
  const code = result.error_code ?? undefined;
  const detail = [code, result.error_msg].filter(Boolean).join(' ') || `result ${result.result}`;
  const error = new ProviderError(`DCS ${operation} failed for task ${taskId}: ${detail}`, {
    errorClass: (code && classifyDcsCode(code)) || 'provider-error',
    provider: 'huawei-dcs',
    providerCode: code,
    taskId,
  });
  return { taskId, ok: false, error };
}

/** Runs chunks one after another, keeping the order of `items` in the results. */
async function inChunks<T, R>(items: readonly T[], size: number, run: (chunk: readonly T[]) => Promise<R[]>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(...(await run(items.slice(start, start + size))));
  return results;
}

/** A ProviderError attributed to the task; anything else (a bug) is not ours to swallow. */
function asTaskError(error: unknown, taskId: string): ProviderError {
  if (!(error instanceof ProviderError)) throw error;
  return error.taskId === taskId ? error : error.forTask(taskId);
}
