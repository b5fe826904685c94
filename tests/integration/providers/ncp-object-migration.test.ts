import { afterEach, describe, expect, it } from 'vitest';
import { ncpObjectMigrationAdapter } from '../../../lib/providers/ncp-object-migration';
import type { ProviderTask } from '../../../lib/providers/types';
import { generateScenario, type Scenario, type Simulator, startSimulator } from '../../../sim';
import { describeAdapterContract } from '../../helpers/adapter-contract';
import { openSimSession, type SessionOptions } from '../../helpers/session';

const PROVIDER = 'ncp-object-migration' as const;
const ACCOUNT = 'ncp-main';
const OPTIONS = { force: false } as const;

describeAdapterContract('ncp-object-migration', {
  adapter: ncpObjectMigrationAdapter,
  scenario: () => ({ ...generateScenario({ seed: 7, tasksPerProvider: 25, providers: [PROVIDER] }), transitionMs: 30 }),
});

function scenario(jobs: Array<{ title: string; state: string }>): Scenario {
  return {
    transitionMs: 30,
    accounts: [
      { name: ACCOUNT, provider: PROVIDER, region: 'KR', accessKey: 'FAKEACCESSKEY0001', secretKey: 'FAKESECRETKEY0001' },
    ],
    tasks: jobs.map(({ title, state }) => ({ provider: PROVIDER, account: ACCOUNT, id: title, name: title, state })),
  };
}

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function openNcp(s: Scenario, sessionOptions?: SessionOptions) {
  const sim = await startSimulator({ scenario: s });
  open.push(sim);
  return { sim, session: openSimSession(ncpObjectMigrationAdapter, sim, ACCOUNT, sessionOptions).session };
}

function aTask(title: string, state: string): ProviderTask {
  return {
    provider: PROVIDER,
    account: ACCOUNT,
    taskId: title,
    name: title,
    state,
    phase: state === 'PAUSED' ? 'paused' : 'running',
  };
}

async function waitForState(sim: Simulator, id: string, state: string, deadlineMs = 2_000): Promise<string | undefined> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const current = sim.task(PROVIDER, id)?.state;
    if (current === state || Date.now() > until) return current;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ncp-object-migration over HTTP', () => {
  it('lists every policy across zero-based pages of 100', async () => {
    const { sim, session } = await openNcp(
      scenario(Array.from({ length: 230 }, (_, n) => ({ title: `policy-${String(n).padStart(3, '0')}`, state: 'STARTED' }))),
    );

    const tasks = await session.list();

    expect(tasks).toHaveLength(230);
    expect(new Set(tasks.map((t) => t.taskId)).size).toBe(230);
    const pages = sim.requests.filter((r) => r.path.startsWith('/migration-api/v1/policies'));
    expect(pages.map((r) => new URLSearchParams(r.path.split('?')[1]).get('page'))).toEqual(['0', '1', '2']);
  });

  it('pauses and restarts a policy with a Korean title', async () => {
    const { sim, session } = await openNcp(scenario([{ title: '테스트', state: 'STARTED' }]));

    const paused = await session.pause([aTask('테스트', 'STARTED')], OPTIONS);
    const pausedState = await waitForState(sim, '테스트', 'PAUSED');
    const resumed = await session.resume([aTask('테스트', 'PAUSED')], OPTIONS);
    const resumedState = await waitForState(sim, '테스트', 'STARTED');

    expect(paused).toEqual([{ taskId: '테스트', ok: true }]);
    expect(pausedState).toBe('PAUSED');
    expect(resumed).toEqual([{ taskId: '테스트', ok: true }]);
    expect(resumedState).toBe('STARTED');
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /migration-api/v1/policy/%ED%85%8C%EC%8A%A4%ED%8A%B8/pause 200',
      'POST /migration-api/v1/policy/%ED%85%8C%EC%8A%A4%ED%8A%B8/start 200',
    ]);
  });

  it('sends the region code and the signing headers on every call', async () => {
    const { sim, session } = await openNcp(scenario([{ title: 'photos', state: 'STARTED' }]));

    await session.get(['photos']);

    expect(sim.requests[0]?.headers).toMatchObject({ 'x-ncp-region_code': 'KR', 'x-ncp-iam-access-key': 'FAKEACCESSKEY0001' });
    expect(sim.requests[0]?.headers['x-ncp-apigw-signature-v2']).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('reports a pause the provider refuses as a failed result, sent once', async () => {
    const { sim, session } = await openNcp(scenario([{ title: 'ready', state: 'INITIALIZED' }]));

    const [result] = await session.pause([aTask('ready', 'INITIALIZED')], OPTIONS);

    expect(result).toMatchObject({
      taskId: 'ready',
      ok: false,
      error: { errorClass: 'bad-request', providerCode: '100', status: 400 },
    });
    expect(sim.requests).toHaveLength(1);
  });

  it('retries a 503 and then succeeds', async () => {
    const { sim, session } = await openNcp(scenario([{ title: 'photos', state: 'STARTED' }]));
    sim.inject({ provider: PROVIDER, method: 'POST', kind: 'http', status: 503, times: 1 });

    const [result] = await session.pause([aTask('photos', 'STARTED')], OPTIONS);

    expect(result).toEqual({ taskId: 'photos', ok: true });
    expect(sim.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('turns a timeout into a retryable failure for that task only, and never sends that pause twice (it may have been carried out)', async () => {
    const { sim, session } = await openNcp(
      scenario([
        { title: 'photos', state: 'STARTED' },
        { title: 'stuck', state: 'STARTED' },
      ]),
      { http: { timeoutMs: 200, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } } },
    );
    sim.inject({ provider: PROVIDER, pathIncludes: '/stuck/', kind: 'timeout' });

    const results = await session.pause([aTask('photos', 'STARTED'), aTask('stuck', 'STARTED')], OPTIONS);

    expect(results[0]).toEqual({ taskId: 'photos', ok: true });
    expect(results[1]).toMatchObject({
      taskId: 'stuck',
      ok: false,
      error: { errorClass: 'retryable', attempts: 1, maybeApplied: true },
    });
    expect(sim.requests.filter((r) => r.path.includes('/stuck/'))).toHaveLength(1);
  });
});
