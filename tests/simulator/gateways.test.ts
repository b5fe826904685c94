import { describe, expect, it } from 'vitest';
import { PROVIDER_KEYS, type ProviderKey } from '../../lib/providers/keys';
import { routeRequest, SIM_GATEWAYS } from '../../sim/gateway';
import { SIM_PROVIDERS } from '../../sim/provider-keys';
import { accounts, simWith, UUID } from './fixtures';
import { call } from './sign';

/** One path of each provider's API (a Record: a provider added to lib needs one here too). */
const ownPath: Record<ProviderKey, string> = {
  'ncp-object-migration': '/migration-api/v1/policies',
  'huawei-oms': '/v2/fakeprojectoms01/tasks',
  'huawei-drs': '/v3/fakeprojectdrs01/jobs/batch-status',
  'huawei-dcs': '/v2/fakeprojectdcs01/migration-tasks',
  // AWS JSON: every operation is a POST to /, named in X-Amz-Target (see ownHeaders).
  'aws-dms': '/',
};

/** The headers that name an operation, for the APIs that name it there. */
const ownHeaders: Partial<Record<ProviderKey, Record<string, string>>> = {
  'aws-dms': { 'x-amz-target': 'AmazonDMSv20160101.DescribeReplicationTasks' },
};

/** Paths no gateway serves: near misses of each provider's prefixes, and nothing like them. */
const unclaimed = [
  '/',
  '/nothing-here',
  '/v4/fakeprojectdrs01/jobs/batch-status',
  '/v3/fakeprojectdrs01/tasks',
  '/v2/fakeprojectoms01/jobs',
  '/v2//tasks',
  '/v2/%E0%A4%A/tasks',
  '/migration/v1/policies',
];

describe('the gateway registry', () => {
  it('has exactly one gateway per provider key, each under its own key, and serves exactly those providers', () => {
    for (const key of PROVIDER_KEYS) expect(SIM_GATEWAYS[key]?.key).toBe(key);
    expect(Object.keys(SIM_GATEWAYS).sort()).toEqual([...PROVIDER_KEYS].sort());
    expect([...SIM_PROVIDERS].sort()).toEqual([...PROVIDER_KEYS].sort());
  });

  it("routes each provider's paths to its gateway alone, and claims none of the unclaimed paths", () => {
    for (const key of PROVIDER_KEYS) {
      const method = key === 'huawei-drs' || key === 'aws-dms' ? 'POST' : 'GET';
      const segments = ownPath[key].split('/').slice(1);
      const headers = ownHeaders[key] ?? {};
      const claimants = PROVIDER_KEYS.filter((other) => SIM_GATEWAYS[other].claim(method, segments, headers) !== undefined);

      expect(claimants).toEqual([key]);
      expect(routeRequest(method, ownPath[key], headers).route).toBeDefined();
    }
    for (const path of unclaimed) expect(routeRequest('POST', path)).toEqual({});
  });

  it('answers a path no gateway claims with the simulator 404, signed or not, before any provider sees it', async () => {
    const sim = await simWith([
      { provider: 'huawei-drs', account: 'drs-main', id: UUID(1), name: 'orders', state: 'INCRE_TRANSFER_STARTED' },
    ]);

    const unsigned = await fetch(`${sim.url}/v4/fakeprojectdrs01/jobs/batch-pause-task`, { method: 'POST' });
    const huawei = await call(sim, accounts.drs, 'POST', '/v4/fakeprojectdrs01/jobs/batch-pause-task', { jobs: [UUID(1)] });
    const ncp = await call(sim, accounts.ncp, 'GET', '/migration/v1/policies');

    expect(unsigned.status).toBe(404);
    expect(unsigned.headers.get('x-request-id')).toBeNull();
    const notServed = { error_code: 'SIM.0404', error_msg: expect.stringContaining('No simulated provider serves this path') };
    expect(await unsigned.json()).toEqual(notServed);
    expect(huawei).toMatchObject({ status: 404, json: notServed });
    expect(ncp).toMatchObject({ status: 404, json: notServed });
    expect(sim.requests.map((r) => [r.provider, r.account, r.status])).toEqual([
      ['unknown', undefined, 404],
      ['unknown', undefined, 404],
      ['unknown', undefined, 404],
    ]);
    expect(sim.applied).toEqual([]);
    expect(sim.task('huawei-drs', UUID(1))?.state).toBe('INCRE_TRANSFER_STARTED');
  });

  it("keeps a claimed path's answers in its provider's words (x-request-id, APIG 404) next to the unclaimed 404", async () => {
    const sim = await simWith([]);

    const claimed = await fetch(`${sim.url}/v3/fakeprojectdrs01/jobs/nothing-here`, { method: 'POST' });

    expect(claimed.status).toBe(404);
    expect(claimed.headers.get('x-request-id')).not.toBeNull();
    expect(await claimed.json()).toMatchObject({ error_code: 'APIG.0101' });
    expect(sim.requests.map((r) => r.provider)).toEqual(['huawei-drs']);
  });

  it("answers an injected fault on an unclaimed path in the simulator's words, not a Huawei service's", async () => {
    const sim = await simWith([]);
    sim.inject({ kind: 'http', status: 500, pathIncludes: '/v9/' });
    sim.inject({ kind: 'http', status: 500, pathIncludes: '/v3/' });

    const unclaimedFault = await call(sim, accounts.dcs, 'POST', '/v9/fakeprojectdcs01/migration-tasks/batch-restart', {});
    const drsFault = await call(sim, accounts.drs, 'POST', '/v3/fakeprojectdrs01/jobs/batch-status', { jobs: [UUID(1)] });

    expect(unclaimedFault).toMatchObject({ status: 500, json: { error_code: 'SIM.FAULT' } });
    expect(drsFault).toMatchObject({ status: 500, json: { error_code: 'DRS.10000001' } });
  });

  it('counts Huawei authentication failures per AK across services, as one IAM key serves them all', async () => {
    const shared = { ...accounts.dcs, accessKey: accounts.drs.accessKey, secretKey: accounts.drs.secretKey };
    const sim = await simWith([], { accounts: [accounts.drs, shared] });
    for (let i = 0; i < 5; i++)
      await call(
        sim,
        accounts.drs,
        'POST',
        '/v3/fakeprojectdrs01/jobs/batch-status',
        { jobs: [UUID(1)] },
        { secretKey: 'FAKE-WRONG' },
      );

    const otherService = await call(sim, shared, 'GET', '/v2/fakeprojectdcs01/migration-tasks');

    expect(otherService).toMatchObject({
      status: 401,
      json: { error_code: 'APIG.0301', error_msg: expect.stringContaining('locked') },
    });
  });
});
