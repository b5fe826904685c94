import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../lib/core/errors';
import { createNcpSession, NCP_PAGE_SIZE, policyPath } from '../../../../lib/providers/ncp-object-migration/session';
import type { ProviderTask } from '../../../../lib/providers/types';
import { aJob, fakeClient, ncpError } from './fake-client';

const OPTIONS = { force: false } as const;

function aTask(taskId: string, state = 'STARTED'): ProviderTask {
  return { provider: 'ncp-object-migration', account: 'ncp-main', taskId, name: taskId, state, phase: 'running' };
}

/** A provider holding `total` jobs, answering list pages the way NCP does. */
function pagedJobs(total: number, num: number | undefined = total) {
  const jobs = Array.from({ length: total }, (_, i) => aJob(`job-${String(i).padStart(4, '0')}`));
  return fakeClient((request) => {
    const page = Number(request.query?.page);
    const limit = Number(request.query?.limit);
    return { objStrContracted: false, num, jobList: jobs.slice(page * limit, page * limit + limit) };
  });
}

describe('NCP session', () => {
  describe('list', () => {
    it('reads every page, zero-based, until a short page', async () => {
      const client = pagedJobs(230);
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const tasks = await session.list();

      expect(tasks).toHaveLength(230);
      expect(client.requests.map((r) => r.query?.page)).toEqual([0, 1, 2]);
      expect(client.requests[0]).toMatchObject({
        method: 'GET',
        path: '/migration-api/v1/policies',
        query: { limit: NCP_PAGE_SIZE, page: 0 },
      });
    });

    it('stops once num jobs are read, without asking for an empty page', async () => {
      const client = pagedJobs(200);
      const session = createNcpSession({ accountName: 'ncp-main', client });

      await session.list();

      expect(client.requests).toHaveLength(2);
    });

    it('stops when the provider ignores the page and repeats itself', async () => {
      const jobs = Array.from({ length: NCP_PAGE_SIZE }, (_, i) => aJob(`same-${i}`));
      const client = fakeClient(() => ({ jobList: jobs }));
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const tasks = await session.list();

      expect(tasks).toHaveLength(NCP_PAGE_SIZE);
      expect(client.requests).toHaveLength(2);
    });

    it('fails with a provider error on a body of the wrong shape', async () => {
      const session = createNcpSession({ accountName: 'ncp-main', client: fakeClient(() => ({ jobList: 'nope' })) });

      await expect(session.list()).rejects.toMatchObject({ errorClass: 'provider-error' });
    });
  });

  describe('get', () => {
    it('reads each policy and maps an unknown one to a not-found error', async () => {
      const client = fakeClient((request) => {
        if (request.path.endsWith('/missing')) throw ncpError('300', 404, 'not-found');
        return aJob('photos', 'PAUSED');
      });
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const found = await session.get(['photos', 'missing']);

      expect(found.get('photos')).toMatchObject({ taskId: 'photos', phase: 'paused' });
      const missing = found.get('missing');
      expect(missing).toBeInstanceOf(ProviderError);
      expect(missing).toMatchObject({ errorClass: 'not-found', taskId: 'missing' });
    });

    it('percent-encodes a non-ASCII title in the path', async () => {
      const client = fakeClient(() => aJob('테스트'));
      const session = createNcpSession({ accountName: 'ncp-main', client });

      await session.get(['테스트']);

      expect(client.requests[0]?.path).toBe('/migration-api/v1/policy/%ED%85%8C%EC%8A%A4%ED%8A%B8');
    });

    it('sends the reads concurrently', async () => {
      let inFlight = 0;
      let most = 0;
      const client = {
        async request(request: { path: string }) {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return { status: 200, json: aJob(decodeURIComponent(request.path.split('/').pop() ?? '')) };
        },
      };
      const session = createNcpSession({ accountName: 'ncp-main', client });

      await session.get(['a', 'b', 'c']);

      expect(most).toBe(3);
    });
  });

  describe('pause and resume', () => {
    it('pauses with POST policy/{title}/pause and no body', async () => {
      const client = fakeClient(() => aJob('photos'));
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const results = await session.pause([aTask('photos')], OPTIONS);

      expect(results).toEqual([{ taskId: 'photos', ok: true }]);
      expect(client.requests).toEqual([
        { method: 'POST', path: '/migration-api/v1/policy/photos/pause', taskId: 'photos', action: true },
      ]);
    });

    it('resumes with start, because NCP has no resume call', async () => {
      const client = fakeClient(() => aJob('photos'));
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const results = await session.resume([aTask('photos', 'PAUSED')], OPTIONS);

      expect(results).toEqual([{ taskId: 'photos', ok: true }]);
      expect(client.requests[0]).toMatchObject({ method: 'POST', path: '/migration-api/v1/policy/photos/start' });
    });

    it('gives one result per task, a failure never throwing out of the call', async () => {
      const client = fakeClient((request) => {
        if (request.path.includes('/locked/')) throw ncpError('210', 401, 'auth');
        return aJob('photos');
      });
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const results = await session.pause([aTask('photos'), aTask('locked')], OPTIONS);

      expect(results).toHaveLength(2);
      expect(results[0]).toEqual({ taskId: 'photos', ok: true });
      expect(results[1]).toMatchObject({ taskId: 'locked', ok: false, error: { errorClass: 'auth', taskId: 'locked' } });
    });

    it('refuses a title that a URL would read as a dot segment, without calling', async () => {
      const client = fakeClient(() => aJob('x'));
      const session = createNcpSession({ accountName: 'ncp-main', client });

      const [result] = await session.pause([aTask('..')], OPTIONS);

      expect(result).toMatchObject({ ok: false, error: { errorClass: 'bad-request' } });
      expect(client.requests).toHaveLength(0);
      expect(() => policyPath('.')).toThrow(ProviderError);
      expect(() => policyPath('\ud800')).toThrow(ProviderError);
    });

    it('lets a bug that is not a provider error escape', async () => {
      const session = createNcpSession({
        accountName: 'ncp-main',
        client: fakeClient(() => {
          throw new TypeError('bug');
        }),
      });

      await expect(session.pause([aTask('photos')], OPTIONS)).rejects.toThrow(TypeError);
    });
  });
});
