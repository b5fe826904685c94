import { CHOSEN_CODES, json, ncpError, type Reply } from '../replies';
import type { StoredTask } from '../task-store';
import { decodeSegment } from '../template';
import type { SimFleet } from '../types';
import { consumeFailure, fakeDate, integerParameter, type MatchedRoute, type RouteContext, unknownParameter } from './context';

/** NCP Object Migration (providers.md section 1): a job is a policy named by its title. */
const PROVIDER = 'ncp-object-migration' as const;

/** `segments` are the raw path segments after `/migration-api/v1/`. */
export function matchNcp(method: string, segments: readonly string[]): MatchedRoute | undefined {
  const [first, rawTitle, action, ...rest] = segments;
  if (rest.length > 0) return undefined;
  if (first === 'policies' && rawTitle === undefined && method === 'GET') return { handle: listPolicies };
  if (first !== 'policy' || rawTitle === undefined || rawTitle === '') return undefined;
  const title = decodeSegment(rawTitle);
  if (action === undefined && method === 'GET') return { handle: (c) => withJob(c, title, (job) => json(200, jobBody(job, c))) };
  if (action === 'pause' && method === 'POST') return { handle: (c) => withJob(c, title, (job) => pause(c, job)) };
  if (action === 'start' && method === 'POST') return { handle: (c) => withJob(c, title, (job) => start(c, job)) };
  return undefined;
}

function withJob(context: RouteContext, title: string | undefined, answer: (job: StoredTask) => Reply): Reply {
  const job = title === undefined ? undefined : context.store.get(PROVIDER, title);
  if (job === undefined || job.task.account !== context.account.name)
    return ncpError(404, CHOSEN_CODES.ncpNotFound, 'Not Found Exception');
  return answer(job);
}

const SORTABLE = ['title', 'createTime', 'updateTime', 'jobState', 'sourceBucketName', 'targetBucketName'];

function listPolicies(context: RouteContext): Reply {
  const { query } = context;
  const bad = (message: string) => ncpError(400, CHOSEN_CODES.ncpBadRequest, message);
  const unknown = unknownParameter(query, ['order', 'sortBy', 'limit', 'page']);
  if (unknown !== undefined) return bad(`unknown parameter ${unknown}`);
  const limit = integerParameter(query, 'limit', 1, 100);
  const page = integerParameter(query, 'page', 0, 1_000_000);
  if (!limit.ok) return bad('limit must be an integer from 1 to 100');
  if (!page.ok) return bad('page must be a zero-based integer');
  // The documented call shape is `?order=&sortBy=&limit=&page=`: empty order/sortBy mean "default".
  const order = query.get('order') || undefined;
  const sortBy = query.get('sortBy') || 'asc';
  if (order !== undefined && !SORTABLE.includes(order)) return bad(`cannot order by ${order}`);
  if (sortBy !== 'asc' && sortBy !== 'desc') return bad('sortBy must be asc or desc');

  const jobs = context.store.list(PROVIDER, context.account.name).map((job) => jobBody(job, context));
  if (order !== undefined) {
    const direction = sortBy === 'desc' ? -1 : 1;
    jobs.sort((a, b) => direction * String(a[order]).localeCompare(String(b[order])));
  }
  const size = limit.value ?? 100;
  const from = (page.value ?? 0) * size;
  // `num` is not documented; the simulator sends the total number of jobs (clients must page by jobList length).
  return json(200, { objStrContracted: false, num: jobs.length, jobList: jobs.slice(from, from + size) });
}

function pause(context: RouteContext, job: StoredTask): Reply {
  const failure = consumeFailure(job.task);
  if (failure !== undefined) return ncpError(400, failure.code, failure.message);
  if (job.task.state !== 'STARTED')
    return ncpError(400, CHOSEN_CODES.ncpBadRequest, `cannot pause a job in state ${job.task.state}`);
  // The documented pause response still shows STARTED; PAUSED follows later.
  const body = jobBody(job, context);
  context.store.transition(job, undefined, [{ afterMs: context.transitionMs, state: 'PAUSED' }]);
  return json(200, body);
}

function start(context: RouteContext, job: StoredTask): Reply {
  const failure = consumeFailure(job.task);
  if (failure !== undefined) return ncpError(400, failure.code, failure.message);
  if (job.task.state !== 'PAUSED' && job.task.state !== 'INITIALIZED') {
    return ncpError(400, CHOSEN_CODES.ncpBadRequest, `cannot start a job in state ${job.task.state}`);
  }
  const body = jobBody(job, context);
  context.store.transition(job, undefined, [{ afterMs: context.transitionMs, state: 'STARTED' }]);
  return json(200, body);
}

function jobBody(job: StoredTask, context: RouteContext): Record<string, unknown> {
  const created = fakeDate(job.order).toISOString().replace('Z', '');
  const n = job.order + 1;
  const estimatedSize = 1_000_000_000 * n;
  const done = job.task.state === 'DONE';
  return {
    title: job.task.id,
    sourceCspType: n % 3 === 0 ? 'Azure' : 'AWS',
    sourceBucketName: `source-bucket-${n}`,
    sourceRegionName: 'ap-northeast-2',
    sourceEndpoint: 'https://s3.ap-northeast-2.amazonaws.com',
    // Free text (a key prefix), and the only free text a policy has: an echoing provider quotes keys here.
    sourcePrefix: context.echo.text(''),
    targetBucketName: `target-bucket-${n}`,
    targetRegionName: context.account.region,
    targetEndpoint: 'https://kr.object.ncloudstorage.com',
    targetPrefix: context.echo.text(''),
    jobState: job.task.state,
    createTime: created,
    updateTime: created,
    estimatedDone: true,
    estimatedSize,
    migratedSize: done ? estimatedSize : Math.floor(estimatedSize / 2),
    skippedSize: 0,
    estimatedObjectNum: 1000 * n,
    migratedObjectNum: done ? 1000 * n : 500 * n,
    skippedObjectNum: 0,
  };
}

/** A generated NCP fleet; the third policy has a Korean title, so that path encoding is exercised. */
export const ncpFleet: SimFleet = {
  states: {
    running: ['STARTED'],
    paused: ['PAUSED'],
    finished: ['DONE', 'DELETED'],
    failed: ['ERROR'],
    waiting: ['INITIALIZED'],
  },
  short: 'ncp',
  refusalCode: '100',
  accountExtras: () => ({ region: 'KR' }),
  task: (account, state, index, n) => {
    const title = index === 2 ? `테스트-${n}` : `bucket-sync-${n}`;
    return { provider: PROVIDER, account, id: title, name: title, state };
  },
};
