import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../lib/config';
import { TokenBucket } from '../../../lib/http/rate-limiter';
import { BACKUPFILE_IMPORT_UNSUPPORTED, huaweiDcsAdapter } from '../../../lib/providers/huawei-dcs';
import type { ProviderSession } from '../../../lib/providers/types';
import { generateScenario, type Scenario, type Simulator, startSimulator } from '../../../sim';
import { fakeRedisPasswords } from '../../../sim/providers/dcs';
import { describeAdapterContract } from '../../helpers/adapter-contract';

describeAdapterContract('huawei-dcs', {
  adapter: huaweiDcsAdapter,
  scenario: () => ({ ...generateScenario({ seed: 11, tasksPerProvider: 60, providers: ['huawei-dcs'] }), transitionMs: 30 }),
});

const OPTIONS = { force: false } as const;
const ACCOUNT = 'dcs-main';
const UUID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface SeedTask {
  n: number;
  state: string;
  migrationType?: 'online_migration' | 'backupfile_import';
  rejectsBatch?: boolean;
}

function scenario(tasks: SeedTask[]): Scenario {
  return {
    transitionMs: 30,
    accounts: [
      {
        name: ACCOUNT,
        provider: 'huawei-dcs',
        region: 'ap-southeast-1',
        projectId: 'fakeproject0001',
        accessKey: 'FAKEACCESSKEY0001',
        secretKey: 'FAKESECRETKEY0001',
      },
    ],
    tasks: tasks.map(({ n, state, migrationType, rejectsBatch }) => ({
      provider: 'huawei-dcs',
      account: ACCOUNT,
      id: UUID(n),
      name: `redis-${n}`,
      state,
      ...(migrationType ? { migrationType } : {}),
      ...(rejectsBatch ? { rejectsBatch } : {}),
    })),
  };
}

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function openDcs(s: Scenario): Promise<{ sim: Simulator; session: ProviderSession }> {
  const sim = await startSimulator({ scenario: s });
  open.push(sim);
  const account = parseAccounts(sim.accountsFile()).accounts.find((a) => a.name === ACCOUNT);
  if (!account) throw new Error('simulator has no dcs account');
  const secretText = sim.secretEnv()[(account.secret ?? '').replace(/^env:/, '')];
  if (secretText === undefined) throw new Error('simulator has no secret for the dcs account');
  const secret = JSON.parse(secretText) as Record<string, unknown>;
  const http = {
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    limiter: new TokenBucket(1_000, 1_000),
  };
  return { sim, session: huaweiDcsAdapter.open({ account, secret, http }) };
}

const pathOf = (r: { path: string }) => r.path.split('?')[0] ?? '';
const requestsTo = (sim: Simulator, suffix: RegExp) => sim.requests.filter((r) => suffix.test(pathOf(r)));
const idsIn = (body: unknown) =>
  ((typeof body === 'string' ? JSON.parse(body) : body) as { migration_tasks: string[] }).migration_tasks;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('huawei-dcs over HTTP', () => {
  it('stops 120 migrating tasks with three batch-stop calls of 50, 50 and 20', async () => {
    // Prepare
    const { sim, session } = await openDcs(scenario(Array.from({ length: 120 }, (_, n) => ({ n, state: 'MIGRATING' }))));
    const tasks = await session.list();
    // Act
    const results = await session.pause(tasks, OPTIONS);
    await sleep(150);
    // Assess
    expect(results.filter((r) => r.ok)).toHaveLength(120);
    const batches = requestsTo(sim, /\/migration-task\/batch-stop$/);
    expect(batches.map((r) => idsIn(r.body).length)).toEqual([50, 50, 20]);
    expect(tasks.every((t) => sim.task('huawei-dcs', t.taskId)?.state === 'TERMINATED')).toBe(true);
  });

  it('stops one task with migration-task/{id}/stop and reads it back as paused', async () => {
    // Prepare
    const { sim, session } = await openDcs(scenario([{ n: 1, state: 'INCRMIGEATING' }]));
    const tasks = await session.list();
    // Act
    const results = await session.pause(tasks, OPTIONS);
    await sleep(150);
    // Assess
    expect(results).toEqual([{ taskId: UUID(1), ok: true }]);
    expect(requestsTo(sim, new RegExp(`/migration-task/${UUID(1)}/stop$`))).toHaveLength(1);
    expect((await session.get([UUID(1)])).get(UUID(1))).toMatchObject({ state: 'TERMINATED', phase: 'paused' });
  });

  it('restarts stopped online migrations with migration-tasks/batch-restart, never the backup-file imports', async () => {
    // Prepare
    const { sim, session } = await openDcs(
      scenario([
        { n: 1, state: 'TERMINATED', migrationType: 'online_migration' },
        { n: 2, state: 'TERMINATED', migrationType: 'online_migration' },
        { n: 3, state: 'TERMINATED', migrationType: 'backupfile_import' },
        { n: 4, state: 'TERMINATED', migrationType: 'backupfile_import' },
      ]),
    );
    const tasks = await session.list();
    // Act
    const results = await session.resume(tasks, OPTIONS);
    // Assess
    const byId = new Map(results.map((r) => [r.taskId, r]));
    expect(
      tasks
        .filter((t) => t.resumeUnsupportedReason === BACKUPFILE_IMPORT_UNSUPPORTED)
        .map((t) => t.taskId)
        .sort(),
    ).toEqual([UUID(3), UUID(4)]);
    expect(byId.get(UUID(1))?.ok).toBe(true);
    expect(byId.get(UUID(2))?.ok).toBe(true);
    const restarted = requestsTo(sim, /\/migration-tasks\/batch-restart$/).flatMap((r) => idsIn(r.body));
    expect(restarted.sort()).toEqual([UUID(1), UUID(2)]);
  });

  it('isolates the one task that makes DCS reject a whole batch-stop, and stops the rest', async () => {
    // Prepare
    const seeds = Array.from({ length: 8 }, (_, n) => ({ n, state: 'MIGRATING', rejectsBatch: n === 5 }));
    const { sim, session } = await openDcs(scenario(seeds));
    const tasks = await session.list();
    // Act
    const results = await session.pause(tasks, OPTIONS);
    // Assess
    expect(results.filter((r) => !r.ok).map((r) => r.taskId)).toEqual([UUID(5)]);
    expect(results.find((r) => r.taskId === UUID(5))).toMatchObject({ ok: false, error: { errorClass: 'bad-request' } });
    expect(requestsTo(sim, /\/migration-task\/batch-stop$/).length).toBeGreaterThan(1);
    await sleep(150);
    expect(sim.task('huawei-dcs', UUID(4))?.state).toBe('TERMINATED');
    expect(sim.task('huawei-dcs', UUID(5))?.state).toBe('MIGRATING');
  });

  it('maps DCS.4133 (HTTP 400) to not-found', async () => {
    // Prepare
    const { session } = await openDcs(scenario([{ n: 1, state: 'MIGRATING' }]));
    // Act
    const found = await session.get([UUID(999)]);
    // Assess
    expect(found.get(UUID(999))).toMatchObject({ errorClass: 'not-found', providerCode: 'DCS.4133', taskId: UUID(999) });
  });

  it('lets no seeded password out, in tasks, results or errors', async () => {
    // Prepare
    const { session } = await openDcs(
      scenario([
        { n: 1, state: 'MIGRATING' },
        { n: 2, state: 'FULLMIGRATING' },
        { n: 3, state: 'TERMINATED' },
        { n: 4, state: 'TERMINATED', migrationType: 'backupfile_import' },
        { n: 5, state: 'SUCCESS' },
      ]),
    );
    // The simulator sends these in every task body, as DCS does.
    const seeded = [0, 1, 2, 3, 4].flatMap((order) => Object.values(fakeRedisPasswords(order)));
    // Act
    const listed = await session.list();
    const read = await session.get([...listed.map((t) => t.taskId), UUID(999)]);
    const paused = await session.pause(listed, OPTIONS);
    const resumed = await session.resume(listed, OPTIONS);
    const everything = JSON.stringify({
      listed,
      read: [...read.values()].map((v) => (v instanceof Error ? { ...v, message: v.message } : v)),
      paused: paused.map((r) => (r.ok ? r : { ...r, message: r.error.message })),
      resumed: resumed.map((r) => (r.ok ? r : { ...r, message: r.error.message })),
    });
    // Assess
    expect(seeded).toHaveLength(10);
    for (const password of seeded) expect(everything).not.toContain(password);
    expect(everything).not.toContain('FAKE-REDIS');
    expect(everything).not.toContain('password');
  });
});
