import { seededUuid } from '../random';
import { CHOSEN_CODES, json, type Reply, serviceError } from '../replies';
import type { StoredTask } from '../task-store';
import type { SimFleet } from '../types';
import { consumeFailure, fakeDate, isPlainObject, jsonObjectBody, type MatchedRoute, type RouteContext } from './context';

/** Huawei DRS v3 (providers.md section 3). PAUSING is the paused state. */
const PROVIDER = 'huawei-drs' as const;

export const DRS_PAUSABLE = new Set([
  'FULL_TRANSFER_STARTED',
  'FULL_TRANSFER_FAILED',
  'FULL_TRANSFER_COMPLETE',
  'INCRE_TRANSFER_STARTED',
  'INCRE_TRANSFER_FAILED',
]);

/** Maximum jobs per pause/retry batch is unknown: the simulator takes the adapters' documented default, 20. */
export const DRS_ACTION_BATCH_LIMIT = 20;
/** Maximum ids per batch-status call is unknown too: the simulator allows as many as one list page, 100. */
export const DRS_STATUS_BATCH_LIMIT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DB_USE_TYPES = ['migration', 'sync', 'cloudDataGuard'];

const bad = (message: string) => serviceError(400, CHOSEN_CODES.drsBadRequest, message);
const rejected = () =>
  serviceError(400, CHOSEN_CODES.drsBatchRejected, 'The request contains a job that cannot be processed in a batch.');

/** `rest` are the raw segments after `/v3/{project_id}/jobs`. */
export function matchDrs(projectId: string, method: string, rest: readonly string[]): MatchedRoute | undefined {
  if (method !== 'POST' || rest.length > 1) return undefined;
  const [action] = rest;
  if (action === undefined) return { projectId, handle: listJobs };
  if (action === 'batch-status') return { projectId, handle: batchStatus };
  if (action === 'batch-pause-task') return { projectId, handle: batchPause };
  if (action === 'batch-retry-task') return { projectId, handle: batchRetry };
  return undefined;
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function listJobs(context: RouteContext): Reply {
  const parsed = jsonObjectBody(context);
  if (!parsed.ok) return bad(parsed.why);
  const body = parsed.value;
  const unknown = Object.keys(body).find((k) => !['cur_page', 'per_page', 'db_use_type', 'name', 'status'].includes(k));
  if (unknown !== undefined) return bad(`unknown field ${unknown}`);
  if (!isInteger(body.cur_page, 1, 1_000_000)) return bad('cur_page must be an integer of at least 1');
  if (!isInteger(body.per_page, 1, 100)) return bad('per_page must be an integer from 1 to 100');
  if (typeof body.db_use_type !== 'string' || !DB_USE_TYPES.includes(body.db_use_type)) {
    return bad('db_use_type must be migration, sync or cloudDataGuard');
  }
  const { name, status } = body;
  if ((name !== undefined && typeof name !== 'string') || (status !== undefined && typeof status !== 'string'))
    return bad('invalid filter');
  const matching = context.store
    .list(PROVIDER, context.account.name)
    .filter((job) => (job.task.dbUseType ?? 'migration') === body.db_use_type)
    .filter((job) => name === undefined || job.task.name.includes(name))
    .filter((job) => status === undefined || job.task.state === status);
  const from = (body.cur_page - 1) * body.per_page;
  const jobs = matching.slice(from, from + body.per_page).map((job) => jobBody(job, context));
  return json(200, { total_record: matching.length, jobs });
}

/** The job when it exists and belongs to the signing account. */
function ownJob(context: RouteContext, id: string): StoredTask | undefined {
  const job = context.store.get(PROVIDER, id);
  return job !== undefined && job.task.account === context.account.name ? job : undefined;
}

function batchStatus(context: RouteContext): Reply {
  const parsed = jsonObjectBody(context);
  if (!parsed.ok) return bad(parsed.why);
  const { jobs, page_req: pageReq, ...others } = parsed.value;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined) return bad(`unknown field ${unknown}`);
  if (!Array.isArray(jobs) || jobs.length === 0 || jobs.length > DRS_STATUS_BATCH_LIMIT) {
    return bad(`jobs must list 1 to ${DRS_STATUS_BATCH_LIMIT} job ids`);
  }
  const ids: string[] = [];
  for (const id of jobs) {
    if (typeof id !== 'string' || !UUID.test(id)) return bad('every job id must be a UUID');
    ids.push(id);
  }
  // DRS quirk (providers.md): per_page defaults to 5 when absent; 0 means all.
  let curPage = 1;
  let perPage = 5;
  if (pageReq !== undefined) {
    if (!isPlainObject(pageReq)) return bad('page_req must be an object');
    if (pageReq.cur_page !== undefined) {
      if (!isInteger(pageReq.cur_page, 1, 1_000_000)) return bad('page_req.cur_page must be at least 1');
      curPage = pageReq.cur_page;
    }
    if (pageReq.per_page !== undefined) {
      if (!isInteger(pageReq.per_page, 0, 100)) return bad('page_req.per_page must be from 0 to 100');
      perPage = pageReq.per_page;
    }
  }
  if (ids.some((id) => ownJob(context, id)?.task.rejectsBatch === true)) return rejected();
  const page = perPage === 0 ? ids : ids.slice((curPage - 1) * perPage, curPage * perPage);
  const results = page.map((id) => {
    const job = ownJob(context, id);
    // Unknown job: no status at all, only the error (batch-status says error_message, not error_msg).
    return job === undefined
      ? {
          id,
          error_code: context.echo.code('DRS.10000010'),
          error_message: context.echo.text('The job does not exist.'),
        }
      : { id, status: job.task.state };
  });
  return json(200, { results, count: ids.length });
}

type ParsedJobs = { ok: true; jobs: Array<Record<string, unknown> & { job_id: string }> } | { ok: false; reply: Reply };

function parseJobEntries(context: RouteContext, fields: Record<string, (value: unknown) => boolean>): ParsedJobs {
  const parsed = jsonObjectBody(context);
  if (!parsed.ok) return { ok: false, reply: bad(parsed.why) };
  const { jobs, ...others } = parsed.value;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined) return { ok: false, reply: bad(`unknown field ${unknown}`) };
  if (!Array.isArray(jobs) || jobs.length === 0) return { ok: false, reply: bad('jobs must not be empty') };
  if (jobs.length > DRS_ACTION_BATCH_LIMIT)
    return { ok: false, reply: bad(`at most ${DRS_ACTION_BATCH_LIMIT} jobs per request`) };
  const out: Array<Record<string, unknown> & { job_id: string }> = [];
  for (const entry of jobs) {
    if (!isPlainObject(entry) || Object.keys(entry).length === 0)
      return { ok: false, reply: bad('jobs may not contain empty objects') };
    const jobId = entry.job_id;
    if (typeof jobId !== 'string' || !UUID.test(jobId)) return { ok: false, reply: bad('job_id must be a UUID') };
    for (const [name, value] of Object.entries(entry)) {
      if (name === 'job_id') continue;
      const check = fields[name];
      if (check === undefined || !check(value)) return { ok: false, reply: bad(`invalid field ${name}`) };
    }
    out.push({ ...entry, job_id: jobId });
  }
  if (out.some((entry) => ownJob(context, entry.job_id)?.task.rejectsBatch === true)) return { ok: false, reply: rejected() };
  return { ok: true, jobs: out };
}

type JobResult = { id: string; status: 'success' | 'failed'; error_code?: string; error_msg?: string };

function actOnJobs(context: RouteContext, jobs: Array<{ job_id: string }>, act: (job: StoredTask) => JobResult): Reply {
  const results = jobs.map((entry): JobResult => {
    const job = ownJob(context, entry.job_id);
    if (job === undefined) return failedJob(context, entry.job_id, 'DRS.10000010', 'The job does not exist.');
    const failure = consumeFailure(job.task);
    if (failure !== undefined) return failedJob(context, entry.job_id, failure.code, failure.message);
    return act(job);
  });
  return json(200, { results, count: results.length });
}

/** One job refused inside a 200: its error text is free text (an echoing provider quotes keys in it). */
function failedJob(context: RouteContext, id: string, code: string, message: string): JobResult {
  return { id, status: 'failed', error_code: context.echo.code(code), error_msg: context.echo.text(message) };
}

function invalidState(context: RouteContext, job: StoredTask): JobResult {
  return failedJob(
    context,
    job.task.id,
    CHOSEN_CODES.drsInvalidState,
    `The job status ${job.task.state} does not allow this operation.`,
  );
}

function batchPause(context: RouteContext): Reply {
  const parsed = parseJobEntries(context, { pause_mode: (v) => v === 'target' || v === 'all' });
  if (!parsed.ok) return parsed.reply;
  if (parsed.jobs.some((entry) => entry.pause_mode === undefined)) return bad('pause_mode is required');
  return actOnJobs(context, parsed.jobs, (job) => {
    if (!DRS_PAUSABLE.has(job.task.state)) return invalidState(context, job);
    job.stateBeforePause = job.task.state;
    context.store.transition(job, undefined, [{ afterMs: context.transitionMs, state: 'PAUSING' }]);
    return { id: job.task.id, status: 'success' };
  });
}

const RETRY_TARGET: Record<string, string> = {
  FULL_TRANSFER_FAILED: 'FULL_TRANSFER_STARTED',
  INCRE_TRANSFER_FAILED: 'INCRE_TRANSFER_STARTED',
};

function batchRetry(context: RouteContext): Reply {
  const parsed = parseJobEntries(context, { is_sync_re_edit: (v) => typeof v === 'boolean' });
  if (!parsed.ok) return parsed.reply;
  return actOnJobs(context, parsed.jobs, (job) => {
    const target =
      job.task.state === 'PAUSING' ? (job.stateBeforePause ?? 'INCRE_TRANSFER_STARTED') : RETRY_TARGET[job.task.state];
    if (target === undefined) return invalidState(context, job);
    context.store.transition(job, undefined, [{ afterMs: context.transitionMs, state: target }]);
    return { id: job.task.id, status: 'success' };
  });
}

function jobBody(job: StoredTask, context: RouteContext): Record<string, unknown> {
  return {
    id: job.task.id,
    name: context.echo.text(job.task.name),
    status: job.task.state,
    description: context.echo.text(''),
    create_time: String(fakeDate(job.order).getTime()),
    engine_type: 'mysql',
    net_type: 'eip',
    billing_tag: false,
    job_direction: 'up',
    db_use_type: job.task.dbUseType ?? 'migration',
    task_type: 'FULL_INCR_TRANS',
    children: [],
    node_new_framework: true,
  };
}

/** A generated DRS fleet: every kind of job (migration, sync, disaster recovery), so listing per kind is exercised. */
export const drsFleet: SimFleet = {
  states: {
    running: ['INCRE_TRANSFER_STARTED', 'FULL_TRANSFER_STARTED', 'FULL_TRANSFER_COMPLETE'],
    paused: ['PAUSING'],
    finished: ['DELETED', 'RELEASE_RESOURCE_COMPLETE'],
    failed: ['START_JOB_FAILED', 'CREATE_FAILED'],
    waiting: ['CONFIGURATION', 'WAITING_FOR_START'],
  },
  short: 'drs',
  refusalCode: 'DRS.10020003',
  accountExtras: (n) => ({ region: 'ap-southeast-1', projectId: `fakeprojectdrs${n}` }),
  task: (account, state, index, n, random) => {
    const dbUseType = (['migration', 'migration', 'sync', 'cloudDataGuard'] as const)[index % 4] ?? 'migration';
    return { provider: PROVIDER, account, id: seededUuid(random), name: `drs-job-${n}`, state, dbUseType };
  },
};
