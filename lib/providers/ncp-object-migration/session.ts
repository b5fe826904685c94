import { ProviderError } from '../../core/errors';
import type { ActionResult, ProviderSession, ProviderTask } from '../types';
import type { NcpClient } from './client';
import { NCP_PROVIDER } from './errors';
import { ncpJobListSchema, ncpJobSchema, parseNcpBody, toProviderTask } from './job';

const API = '/migration-api/v1';
/** The documented default and, as far as we know, the largest page. */
export const NCP_PAGE_SIZE = 100;
/**
 * A fixed order keeps zero-based pages stable while we walk them (the default order is not documented);
 * `order=title&sortBy=asc` is the documented example's own choice.
 */
const LIST_ORDER = { order: 'title', sortBy: 'asc' } as const;

export interface NcpSessionOptions {
  accountName: string;
  /** Anything that sends a signed NCP request: the real NcpClient, or a fake in unit tests. */
  client: Pick<NcpClient, 'request'>;
}

/** The path of one policy. Titles may be non-ASCII (테스트), so the segment is percent-encoded. */
export function policyPath(title: string): string {
  const unaddressable = () =>
    new ProviderError(`policy title ${JSON.stringify(title)} cannot be addressed in a URL path`, {
      errorClass: 'bad-request',
      provider: NCP_PROVIDER,
      taskId: title,
    });
  // `.` and `..` (even as %2E) are dot segments to every URL parser: such a path would name another resource.
  if (title === '.' || title === '..') throw unaddressable();
  try {
    return `${API}/policy/${encodeURIComponent(title)}`;
  } catch {
    // encodeURIComponent throws on a lone surrogate, which no real title can hold.
    throw unaddressable();
  }
}

/** One account's migration policies: one call per policy for every action (NCP has no batch call). */
export function createNcpSession({ accountName, client }: NcpSessionOptions): ProviderSession {
  async function list(): Promise<ProviderTask[]> {
    const tasks = new Map<string, ProviderTask>();
    for (let page = 0; ; page++) {
      const response = await client.request({
        method: 'GET',
        path: `${API}/policies`,
        query: { ...LIST_ORDER, limit: NCP_PAGE_SIZE, page },
      });
      const body = parseNcpBody(ncpJobListSchema, response.json, 'list policies');
      const before = tasks.size;
      for (const job of body.jobList) tasks.set(job.title, toProviderTask(accountName, job));
      const short = body.jobList.length < NCP_PAGE_SIZE;
      const allRead = body.num != null && tasks.size >= body.num;
      // A page with nothing new means the provider ignored `page`: stop rather than loop forever.
      if (short || allRead || tasks.size === before) break;
    }
    return [...tasks.values()];
  }

  async function getOne(taskId: string): Promise<ProviderTask | ProviderError> {
    try {
      const response = await client.request({ method: 'GET', path: policyPath(taskId), taskId });
      return toProviderTask(accountName, parseNcpBody(ncpJobSchema, response.json, 'get policy', taskId));
    } catch (error) {
      return asTaskError(error, taskId);
    }
  }

  /** The answer is the job, but the documented pause example still shows STARTED: the pipeline confirms by polling. */
  async function act(task: ProviderTask, action: 'pause' | 'start'): Promise<ActionResult> {
    try {
      await client.request({ method: 'POST', path: `${policyPath(task.taskId)}/${action}`, taskId: task.taskId, action: true });
      return { taskId: task.taskId, ok: true };
    } catch (error) {
      return { taskId: task.taskId, ok: false, error: asTaskError(error, task.taskId) };
    }
  }

  return {
    list,
    async get(taskIds) {
      const entries = await Promise.all(taskIds.map(async (id) => [id, await getOne(id)] as const));
      return new Map(entries);
    },
    pause: (tasks) => Promise.all(tasks.map((task) => act(task, 'pause'))),
    // NCP has no resume call: start is resume (providers.md §1).
    resume: (tasks) => Promise.all(tasks.map((task) => act(task, 'start'))),
  };
}

/** A ProviderError attributed to the task; anything else (a bug) is not ours to swallow. */
function asTaskError(error: unknown, taskId: string): ProviderError {
  if (!(error instanceof ProviderError)) throw error;
  return error.taskId === taskId ? error : error.forTask(taskId);
}
