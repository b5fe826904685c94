import { describe, expect, it } from 'vitest';
import { accounts, simWith } from './fixtures';
import { call, sleep } from './sign';

const ncp = (id: string, state: string) => ({
  provider: 'ncp-object-migration' as const,
  account: 'ncp-main',
  id,
  name: id,
  state,
});

describe('simulated NCP Object Migration', () => {
  it('answers a pause with STARTED, as documented, and shows PAUSED after the transition', async () => {
    const sim = await simWith([ncp('photos', 'STARTED')]);

    const paused = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');
    const right = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos');
    await sleep(60);
    const later = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos');

    expect(paused).toMatchObject({ status: 200, json: { title: 'photos', jobState: 'STARTED' } });
    expect(right.json).toMatchObject({ jobState: 'STARTED' });
    expect(later.json).toMatchObject({ jobState: 'PAUSED', targetBucketName: expect.any(String) });
    expect(sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
  });

  it('starts a paused job again, and refuses to pause a job that is not STARTED with code 100', async () => {
    const sim = await simWith([ncp('held', 'PAUSED'), ncp('done', 'DONE')]);

    const started = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/held/start');
    const refused = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/done/pause');
    await sleep(60);

    expect(started.status).toBe(200);
    expect(sim.task('ncp-object-migration', 'held')?.state).toBe('STARTED');
    expect(refused).toMatchObject({ status: 400, json: { error: { errorCode: '100' } } });
  });

  it('decodes a percent-encoded Korean title', async () => {
    const sim = await simWith([ncp('테스트', 'STARTED')]);

    const response = await call(sim, accounts.ncp, 'POST', `/migration-api/v1/policy/${encodeURIComponent('테스트')}/pause`);

    expect(response).toMatchObject({ status: 200, json: { title: '테스트' } });
    expect(sim.requests[0]?.escapesTemplate).toBe(false);
  });

  it('pages the list zero-based and refuses a limit over 100', async () => {
    const sim = await simWith(Array.from({ length: 5 }, (_, i) => ncp(`job-${i}`, 'STARTED')));

    const page1 = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policies?order=title&sortBy=desc&limit=2&page=1');
    const tooBig = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policies?limit=101&page=0');

    expect(page1.json).toMatchObject({ num: 5, jobList: [{ title: 'job-2' }, { title: 'job-1' }] });
    expect(tooBig).toMatchObject({ status: 400, json: { error: { errorCode: '100' } } });
  });

  it('answers an unknown title with 404 code 300 and flags a path that escapes its template', async () => {
    const sim = await simWith([ncp('photos', 'STARTED')]);

    const missing = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/nothing');
    const escaping = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/..%2Fpolicies/pause');

    expect(missing).toMatchObject({ status: 404, json: { error: { errorCode: '300' } } });
    expect(escaping.status).toBe(404);
    expect(sim.requests.map((r) => r.escapesTemplate)).toEqual([false, true]);
  });

  it('fails the next action of a task marked failsAction with its code, once', async () => {
    const sim = await simWith([{ ...ncp('photos', 'STARTED'), failsAction: { code: '900', message: 'simulated' } }]);

    const first = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');
    const second = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');

    expect(first).toMatchObject({ status: 400, json: { error: { errorCode: '900', message: 'simulated' } } });
    expect(second.status).toBe(200);
  });

  it('lets a person override the state by hand, cancelling a transition in flight', async () => {
    const sim = await simWith([ncp('photos', 'STARTED')]);
    await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');

    sim.setTaskState('ncp-object-migration', 'photos', 'STARTED');
    await sleep(60);

    expect(sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
  });
});
