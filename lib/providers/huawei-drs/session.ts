import type { ActionOptions } from '../../core/command';
import { ProviderError } from '../../core/errors';
import { redactText } from '../../core/redaction';
import { callWithIsolation, isolateFailures } from '../bisect';
import type { HuaweiClient } from '../huawei/client';
import type { ActionResult, ProviderSession, ProviderTask } from '../types';
import { classifyDrsJobCode } from './error-codes';
import {
  DRS_DB_USE_TYPES,
  drsActionResultsSchema,
  drsJobListSchema,
  drsStatusListSchema,
  parseDrsBody,
  toProviderTask,
} from './jobs';
import { drsManifest } from './manifest';

/** DRS lists at most 100 jobs a page. */
export const DRS_PAGE_SIZE = 100;
/** A guard against a provider that keeps answering full pages: 1000 pages is 100 000 jobs of one kind. */
const MAX_PAGES = 1_000;

export interface DrsSessionOptions {
  accountName: string;
  projectId: string;
  /** Most jobs one batch-status call carries (the account's batchSize, else the adapter's batchLimit). */
  batchLimit: number;
  /** Anything that sends a signed Huawei request: the real HuaweiClient, or a fake in unit tests. */
  client: Pick<HuaweiClient, 'request'>;
}

type Lookup = readonly [taskId: string, found: ProviderTask | ProviderError];

/** One account's DRS jobs: list per db_use_type, read and act in batches with per-job results. */
export function createDrsSession(options: DrsSessionOptions): ProviderSession {
  const { client, accountName } = options;
  const jobsPath = `/v3/${encodeURIComponent(options.projectId)}/jobs`;
  // batch-status answers ids and states only; names come from the last list, else the id stands in.
  const names = new Map<string, string>();

  async function list(): Promise<ProviderTask[]> {
    const tasks = new Map<string, ProviderTask>();
    for (const dbUseType of DRS_DB_USE_TYPES) {
      let seen = 0;
      for (let page = 1; page <= MAX_PAGES; page++) {
        const response = await client.request({
          method: 'POST',
          path: jobsPath,
          body: { cur_page: page, per_page: DRS_PAGE_SIZE, db_use_type: dbUseType },
        });
        const body = parseDrsBody(drsJobListSchema, response.json, `list ${dbUseType} jobs`);
        for (const job of body.jobs) {
          const task = toProviderTask(accountName, job, dbUseType);
          tasks.set(task.taskId, task);
          names.set(task.taskId, task.name);
        }
        seen += body.jobs.length;
        if (body.jobs.length < DRS_PAGE_SIZE || (body.total_record !== undefined && seen >= body.total_record)) break;
      }
    }
    return [...tasks.values()];
  }

  async function readStatuses(batch: readonly string[]): Promise<Lookup[]> {
    const response = await client.request({
      method: 'POST',
      path: `${jobsPath}/batch-status`,
      // per_page defaults to 5: without 0 ("all") a batch of 20 silently answers for 5.
      body: { jobs: batch, page_req: { cur_page: 1, per_page: 0 } },
    });
    const results = new Map(parseDrsBody(drsStatusListSchema, response.json, 'batch-status').results.map((r) => [r.id, r]));
    return batch.map((taskId): Lookup => {
      const result = results.get(taskId);
      if (!result || result.error_code) {
        const why = result?.error_code
          ? `${result.error_code}${result.error_message ? `: ${result.error_message}` : ''}`
          : 'not in the answer';
        return [taskId, jobError(`DRS does not know job ${taskId} (${why})`, 'not-found', taskId, result?.error_code)];
      }
      if (!result.status) {
        return [taskId, jobError(`DRS batch-status gave job ${taskId} no status`, 'provider-error', taskId)];
      }
      return [taskId, toProviderTask(accountName, { id: taskId, name: names.get(taskId), status: result.status })];
    });
  }

  async function get(taskIds: readonly string[]): Promise<Map<string, ProviderTask | ProviderError>> {
    const lookups = await isolateFailures(
      [...new Set(taskIds)],
      readStatuses,
      (taskId, error): Lookup => [taskId, error.forTask(taskId)],
      { batchLimit: options.batchLimit },
    );
    return new Map(lookups);
  }

  /** One batch action call; per-job failures inside the 200 become that job's result. */
  async function act(
    what: 'batch-pause-task' | 'batch-retry-task',
    batch: readonly ProviderTask[],
    job: (task: ProviderTask) => object,
  ) {
    const response = await client.request({
      method: 'POST',
      path: `${jobsPath}/${what}`,
      body: { jobs: batch.map(job) },
      action: true,
    });
    const results = new Map(parseDrsBody(drsActionResultsSchema, response.json, what).results.map((r) => [r.id, r]));
    return batch.map(({ taskId }): ActionResult => {
      const result = results.get(taskId);
      if (result?.status.toLowerCase() === 'success') return { taskId, ok: true };
      if (!result) {
        return { taskId, ok: false, error: jobError(`DRS ${what} gave no result for job ${taskId}`, 'provider-error', taskId) };
      }
      const code = result.error_code ?? undefined;
      const message = `DRS ${what} failed for job ${taskId}${code ? ` (${code})` : ''}${result.error_msg ? `: ${result.error_msg}` : ''}`;
      return { taskId, ok: false, error: jobError(message, classifyDrsJobCode(code), taskId, code) };
    });
  }

  function pause(tasks: readonly ProviderTask[], actionOptions: ActionOptions): Promise<ActionResult[]> {
    const { pauseMode } = drsManifest.options.parse(actionOptions['huawei-drs'] ?? {});
    return callWithIsolation(tasks, taskIdOf, (batch) =>
      act('batch-pause-task', batch, (task) => ({ job_id: task.taskId, pause_mode: pauseMode })),
    );
  }

  function resume(tasks: readonly ProviderTask[]): Promise<ActionResult[]> {
    // batch-retry-task resumes paused jobs and retries failed ones (providers.md §3).
    return callWithIsolation(tasks, taskIdOf, (batch) => act('batch-retry-task', batch, (task) => ({ job_id: task.taskId })));
  }

  return { list, get, pause, resume };
}

function taskIdOf(task: ProviderTask): string {
  return task.taskId;
}

function jobError(
  message: string,
  errorClass: ProviderError['errorClass'],
  taskId: string,
  providerCode?: string | null,
): ProviderError {
  // Redacted before it is cut (a credential cut in two at the limit would no longer be recognised); again as made.
  return new ProviderError(truncate(redactText(message), 400), {
    errorClass,
    provider: 'huawei-drs',
    status: 200,
    taskId,
    ...(providerCode ? { providerCode } : {}),
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
