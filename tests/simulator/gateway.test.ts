import { describe, expect, it } from 'vitest';
import { accounts, simWith, UUID } from './fixtures';
import { call } from './sign';

const running = [
  { provider: 'ncp-object-migration' as const, account: 'ncp-main', id: 'photos', name: 'photos', state: 'STARTED' },
  { provider: 'huawei-drs' as const, account: 'drs-main', id: UUID(1), name: 'orders', state: 'INCRE_TRANSFER_STARTED' },
];
const drsStatus = '/v3/fakeprojectdrs01/jobs/batch-status';

describe('the simulated gateways', () => {
  it("answers a wrong NCP signature with NCP's exact 401 body", async () => {
    const sim = await simWith(running);

    const response = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos', undefined, {
      secretKey: 'FAKE-WRONG',
    });

    expect(response.status).toBe(401);
    expect(response.text).toBe('{"error":{"errorCode":"200","message":"Authentication Failed"}}');
  });

  it('refuses an NCP timestamp six minutes off', async () => {
    const sim = await simWith(running);

    const response = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos', undefined, { skewMs: 6 * 60_000 });

    expect(response.status).toBe(401);
  });

  it('answers a wrong Huawei signature with APIG.0301, and a date 16 minutes off the same way', async () => {
    const sim = await simWith(running);

    const wrong = await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] }, { secretKey: 'FAKE-WRONG' });
    const stale = await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] }, { skewMs: -16 * 60_000 });

    for (const response of [wrong, stale]) {
      expect(response.status).toBe(401);
      expect(response.json).toEqual({
        error_code: 'APIG.0301',
        error_msg: expect.stringMatching(/^Incorrect IAM authentication information: /),
        request_id: expect.any(String),
      });
    }
  });

  it('locks a Huawei key for five minutes after five authentication failures in a row', async () => {
    const sim = await simWith(running);
    for (let i = 0; i < 5; i++)
      await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] }, { secretKey: 'FAKE-WRONG' });

    const correct = await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] });

    expect(correct.status).toBe(401);
  });

  it("refuses a project id that is not the signing account's", async () => {
    const sim = await simWith(running);

    const response = await call(sim, accounts.drs, 'POST', '/v3/fakeprojectdcs01/jobs/batch-status', { jobs: [UUID(1)] });

    expect(response).toMatchObject({ status: 403, json: { error_code: expect.stringMatching(/^APIG\./) } });
  });

  it("answers beyond the account's rate with each provider's 429 body", async () => {
    const sim = await simWith(running, {
      accounts: [
        { ...accounts.ncp, rateLimit: { perSecond: 1, burst: 2 } },
        { ...accounts.drs, rateLimit: { perSecond: 1, burst: 1 } },
      ],
    });

    const ncp = [];
    for (let i = 0; i < 3; i++) ncp.push(await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos'));
    const drs = [
      await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] }),
      await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] }),
    ];

    expect(ncp.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(sim.requests.filter((r) => r.throttled).map((r) => r.status)).toEqual([429, 429]);
    expect(ncp[2]?.json).toMatchObject({ error: { errorCode: '420' } });
    expect(drs[1]).toMatchObject({
      status: 429,
      json: {
        error_code: 'APIG.0308',
        error_msg: 'policy user over ratelimit, limit:1, time:1 second',
        request_id: expect.any(String),
      },
    });
  });

  it('tightens the limit once the account has been served the given number of requests', async () => {
    // A bucket that barely refills over the test: only the burst counts.
    const sim = await simWith(running, {
      accounts: [
        { ...accounts.drs, rateLimit: { perSecond: 0.001, burst: 5, drop: { afterRequests: 2, perSecond: 0.002, burst: 1 } } },
      ],
    });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] }));

    // Two served under the first limit; the burst left over (3) is cut to the new burst (1): one more, then 429.
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(statuses[3]?.json).toMatchObject({ error_code: 'APIG.0308' });
  });

  it('injects an HTTP fault the given number of times, in the provider style', async () => {
    const sim = await simWith(running);
    sim.inject({ provider: 'huawei-drs', kind: 'http', status: 503, times: 1 });
    sim.inject({ provider: 'ncp-object-migration', method: 'POST', pathIncludes: '/pause', kind: 'http', status: 429, times: 1 });

    const drsFirst = await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] });
    const drsSecond = await call(sim, accounts.drs, 'POST', drsStatus, { jobs: [UUID(1)] });
    const ncpGet = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos');
    const ncpPause = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');

    expect(drsFirst).toMatchObject({ status: 503, json: { error_code: expect.stringMatching(/^APIG\./) } });
    expect(drsSecond.status).toBe(200);
    expect(ncpGet.status).toBe(200);
    expect(ncpPause).toMatchObject({ status: 429, json: { error: { errorCode: '420' } } });
    expect(sim.requests.map((r) => r.status)).toEqual([503, 200, 200, 429]);
  });

  it('resets the connection, or holds it until the client gives up', async () => {
    const sim = await simWith(running);
    sim.inject({ kind: 'reset', times: 1 });
    sim.inject({ kind: 'timeout', times: 1 });

    const reset = await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policy/photos').catch((error: unknown) => error);
    const started = Date.now();
    const held = await fetch(`${sim.url}/migration-api/v1/policy/photos`, { signal: AbortSignal.timeout(150) }).catch(
      (error: unknown) => error,
    );

    expect(reset).toBeInstanceOf(Error);
    expect(held).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(sim.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it('answers an unknown route with 404 in the provider style, before authentication', async () => {
    const sim = await simWith(running);

    const huawei = await fetch(`${sim.url}/v3/fakeprojectdrs01/jobs/nothing-here`, { method: 'POST' });
    const ncp = await call(sim, accounts.ncp, 'DELETE', '/migration-api/v1/policy/photos');

    expect(huawei.status).toBe(404);
    expect(await huawei.json()).toMatchObject({ error_code: 'APIG.0101' });
    expect(ncp).toMatchObject({ status: 404, json: { error: { errorCode: '300' } } });
  });

  it('records every request with its account, raw path, lower-case headers and status', async () => {
    const sim = await simWith(running, { latencyMs: 20 });

    const started = Date.now();
    await call(sim, accounts.ncp, 'GET', '/migration-api/v1/policies?limit=10&page=0');

    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
    expect(sim.requests).toEqual([
      expect.objectContaining({
        provider: 'ncp-object-migration',
        account: 'ncp-main',
        method: 'GET',
        path: '/migration-api/v1/policies?limit=10&page=0',
        status: 200,
        escapesTemplate: false,
        headers: expect.objectContaining({ 'x-ncp-iam-access-key': 'FAKE-NCP-AK-01' }),
      }),
    ]);
  });
});
