import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../lib/config';
import { TokenBucket } from '../../../lib/http/rate-limiter';
import { huaweiOmsAdapter } from '../../../lib/providers/huawei-oms';
import type { ProviderSession, ProviderTask } from '../../../lib/providers/types';
import { generateScenario, type Scenario, type Simulator, startSimulator } from '../../../sim';
import { describeAdapterContract } from '../../helpers/adapter-contract';

describeAdapterContract('huawei-oms', {
  adapter: huaweiOmsAdapter,
  scenario: () => ({ ...generateScenario({ seed: 11, tasksPerProvider: 30, providers: ['huawei-oms'] }), transitionMs: 30 }),
});

const OPTIONS = { force: false } as const;
const ACCOUNT = 'oms-main';
const OMS_KEYS = {
  dst_ak: 'FAKEDSTACCESSKEY01',
  dst_sk: 'FAKEDSTSECRETKEY01',
  src_ak: 'FAKESRCACCESSKEY01',
  src_sk: 'FAKESRCSECRETKEY01',
};
const taskId = (n: number) => String(100000000000000 + n);

function scenario(tasks: Array<{ n: number; state: string }>): Scenario {
  return {
    transitionMs: 30,
    accounts: [
      {
        name: ACCOUNT,
        provider: 'huawei-oms',
        region: 'ap-southeast-1',
        projectId: 'fakeproject0001',
        accessKey: 'FAKEACCESSKEY0001',
        secretKey: 'FAKESECRETKEY0001',
        oms: OMS_KEYS,
      },
    ],
    tasks: tasks.map(({ n, state }) => ({ provider: 'huawei-oms', account: ACCOUNT, id: taskId(n), name: `bucket-${n}`, state })),
  };
}

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

/** Starts the simulator and opens the adapter on its account, with a secret edited by `editSecret`. */
async function openOms(s: Scenario, editSecret: (secret: Record<string, unknown>) => void = () => {}) {
  const sim = await startSimulator({ scenario: s });
  open.push(sim);
  const account = parseAccounts(sim.accountsFile()).accounts.find((a) => a.name === ACCOUNT);
  if (!account) throw new Error('simulator has no oms account');
  const secretText = sim.secretEnv()[(account.secret ?? '').replace(/^env:/, '')];
  if (secretText === undefined) throw new Error('simulator has no secret for the oms account');
  const secret = JSON.parse(secretText) as Record<string, unknown>;
  editSecret(secret);
  const http = {
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    limiter: new TokenBucket(1_000, 1_000),
  };
  const session: ProviderSession = huaweiOmsAdapter.open({ account, secret, http });
  return { sim, session };
}

const requestsTo = (sim: Simulator, suffix: RegExp) => sim.requests.filter((r) => suffix.test(r.path.split('?')[0] ?? ''));

function bodyOf(body: unknown): Record<string, unknown> {
  return (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
}

async function waitForState(sim: Simulator, id: string, state: string, deadlineMs = 2_000): Promise<string | undefined> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const current = String(sim.task('huawei-oms', id)?.state);
    if (current === state || Date.now() > until) return current;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('huawei-oms over HTTP', () => {
  it('lists every task across pages of 100', async () => {
    // Prepare
    const { sim, session } = await openOms(scenario(Array.from({ length: 230 }, (_, n) => ({ n, state: '2' }))));
    // Act
    const tasks = await session.list();
    // Assess
    expect(tasks).toHaveLength(230);
    expect(new Set(tasks.map((t) => t.taskId)).size).toBe(230);
    expect(tasks[0]).toMatchObject({ provider: 'huawei-oms', account: ACCOUNT, taskId: taskId(0), phase: 'running' });
    expect(requestsTo(sim, /\/tasks$/)).toHaveLength(3);
  });

  it('stops a migrating task, which then goes 2 → 7 → 3', async () => {
    // Prepare
    const { sim, session } = await openOms(scenario([{ n: 1, state: '2' }]));
    const [task] = await session.list();
    // Act
    const results = await session.pause([task as ProviderTask], OPTIONS);
    // Assess
    expect(results).toEqual([{ taskId: taskId(1), ok: true }]);
    expect(await waitForState(sim, taskId(1), '3')).toBe('3');
    expect((await session.get([taskId(1)])).get(taskId(1))).toMatchObject({ phase: 'paused', state: '3' });
  });

  it('refuses to stop a task that is not migrating, as invalid-state', async () => {
    // Prepare
    const { session } = await openOms(scenario([{ n: 1, state: '3' }]));
    const [task] = await session.list();
    // Act
    const [result] = await session.pause([task as ProviderTask], OPTIONS);
    // Assess
    expect(result).toMatchObject({
      ok: false,
      error: { errorClass: 'invalid-state', providerCode: 'OMS.0066', taskId: taskId(1) },
    });
  });

  it('starts a paused task with the destination keys and migrate_failed_object', async () => {
    // Prepare
    const { sim, session } = await openOms(scenario([{ n: 1, state: '3' }]));
    const [task] = await session.list();
    // Act
    const results = await session.resume([task as ProviderTask], { ...OPTIONS, 'huawei-oms': { migrateFailedObject: true } });
    // Assess
    expect(results).toEqual([{ taskId: taskId(1), ok: true }]);
    const starts = requestsTo(sim, /\/tasks\/\d+\/start$/);
    expect(starts).toHaveLength(1);
    expect(bodyOf(starts[0]?.body)).toMatchObject({
      dst_ak: OMS_KEYS.dst_ak,
      dst_sk: OMS_KEYS.dst_sk,
      migrate_failed_object: true,
    });
    expect(await waitForState(sim, taskId(1), '2')).toBe('2');
  });

  it('fails a resume whose secret lacks dst_ak with a clear reason, and never calls start', async () => {
    // Prepare
    const { sim, session } = await openOms(scenario([{ n: 1, state: '3' }]), (secret) => {
      const oms = secret.oms as Record<string, unknown>;
      delete oms.dst_ak;
    });
    const [task] = await session.list();
    // Act
    const [result] = await session.resume([task as ProviderTask], OPTIONS);
    // Assess
    expect(result).toMatchObject({ ok: false, error: { errorClass: 'bad-request' } });
    expect(result && !result.ok && result.error.message).toMatch(new RegExp(`has no oms.dst_ak for task ${taskId(1)}$`));
    expect(requestsTo(sim, /\/start$/)).toHaveLength(0);
  });

  it('maps OMS.1009 (HTTP 400) to not-found', async () => {
    // Prepare
    const { session } = await openOms(scenario([{ n: 1, state: '2' }]));
    const missing = taskId(999);
    // Act
    const found = await session.get([missing]);
    // Assess
    expect(found.get(missing)).toMatchObject({ errorClass: 'not-found', providerCode: 'OMS.1009', status: 400, taskId: missing });
  });
});
