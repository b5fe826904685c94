import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger } from '../../lib/aws/ledger-dynamodb';
import { type CommandInput, parseCommand } from '../../lib/core/command';
import { ClaimsInProgressError } from '../../lib/core/errors';
import type { Ledger } from '../../lib/core/ledger';
import { runWorkMessage } from '../../lib/core/run';
import { workMessageSchema } from '../../lib/core/work';
import { FileLedger } from '../../lib/local/ledger-file';
import { MemoryLedger } from '../../lib/local/ledger-memory';
import { MemoryWorkQueue } from '../../lib/local/work-queue-memory';
import type { Scenario } from '../../sim';
import { actionRequests, type Fleet, startFleet } from '../helpers/fleet';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { DRS_MAIN, drsJob, drsJobId, NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

const DRS = drsJobId;
const WINDOW = 'window:business-hours';

function dayScenario(): Scenario {
  return {
    accounts: [NCP_MAIN, DRS_MAIN],
    tasks: [
      ncpPolicy('photos', 'STARTED'),
      ncpPolicy('logs', 'STARTED'),
      ncpPolicy('paused-by-hand', 'PAUSED'),
      drsJob(1, 'orders-db', 'INCRE_TRANSFER_STARTED'),
      drsJob(2, 'users-db', 'FULL_TRANSFER_STARTED'),
    ],
  };
}

const ALL_FOUR = ['logs', 'photos', DRS(1), DRS(2)].sort();
const PAUSED_STATES = new Set(['PAUSED', 'PAUSING']);

/** The tasks of the day scenario paused at the provider now (the one paused by hand aside). */
function pausedNow(fleet: Fleet): string[] {
  return [...ALL_FOUR].filter((id) => {
    const provider = id === DRS(1) || id === DRS(2) ? 'huawei-drs' : 'ncp-object-migration';
    return PAUSED_STATES.has(fleet.sim.task(provider, id)?.state ?? '');
  });
}

async function holdsBySource(ledger: Ledger): Promise<Record<string, string[]>> {
  const by: Record<string, string[]> = {};
  for (const hold of await ledger.pausedByUs()) by[hold.source] = [...(by[hold.source] ?? []), hold.target.taskId];
  for (const list of Object.values(by)) list.sort();
  return by;
}

function workerDeps(fleet: Fleet) {
  return { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

let dynamo: LocalDynamoDb;
beforeAll(async () => {
  dynamo = await startLocalDynamoDb();
});
afterAll(async () => {
  await dynamo.stop();
});

const ledgers: Array<[string, () => Promise<Ledger>]> = [
  ['the memory ledger', async () => new MemoryLedger()],
  ['the on-disk ledger', async () => FileLedger.open(join(await mkdtemp(join(tmpdir(), 'mp-holds-')), 'ledger.json'))],
  ['the DynamoDB ledger', async () => new DynamoDbLedger({ client: dynamo.client, tableName: await dynamo.createLedgerTable() })],
];

describe.each(ledgers)('holds and precedence on %s', (_, openLedger) => {
  it('keeps the incident’s DRS jobs paused through the evening resume, and never touches a task paused by hand', async () => {
    const fleet = await startFleet(dayScenario(), { ledger: await openLedger() });
    const state = (provider: 'ncp-object-migration' | 'huawei-drs', id: string) => fleet.sim.task(provider, id)?.state;

    // 09:00 — the window pauses everything.
    const morning = await fleet.run({ action: 'pause', source: WINDOW, reason: 'business hours' });
    expect(morning.summary.totals).toEqual({ paused: 4, 'already-paused': 1 });

    // 11:00 — an incident pauses DRS, already paused by the window: the incident adds its own hold.
    const incident = await fleet.run({ action: 'pause', source: 'INC-1', scope: { providers: ['huawei-drs'] }, reason: 'INC-1' });
    expect(incident.summary.totals).toEqual({ 'already-paused': 2 });

    // 18:00 — the window resumes what it holds; the DRS jobs are still held by the incident.
    const evening = await fleet.run({ action: 'resume', source: WINDOW, reason: 'business hours over' });
    expect(evening.summary.byProvider).toEqual({ 'ncp-object-migration': { resumed: 2 }, 'huawei-drs': { skipped: 2 } });
    expect(evening.outcomes.find((o) => o.target.provider === 'huawei-drs')?.reason).toMatch(/still held paused by INC-1/);
    expect([state('huawei-drs', DRS(1)), state('huawei-drs', DRS(2))]).toEqual(['PAUSING', 'PAUSING']);
    expect(state('ncp-object-migration', 'photos')).toBe('STARTED');

    // The incident ends: its resume releases the last hold, and the jobs run again.
    const over = await fleet.run({ action: 'resume', source: 'INC-1', reason: 'INC-1 resolved' });
    expect(over.summary.totals).toEqual({ resumed: 2 });
    expect(state('huawei-drs', DRS(1))).not.toBe('PAUSING');

    expect(state('ncp-object-migration', 'paused-by-hand')).toBe('PAUSED');
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('keeps tasks an incident pauses while the window resume is queued paused under the incident, until its own resume', async () => {
    const fleet = await startFleet(dayScenario(), { ledger: await openLedger() });
    await fleet.run({ action: 'pause', source: WINDOW });
    const workQueue = new MemoryWorkQueue();
    const evening = await fleet.run({ action: 'resume', source: WINDOW }, { workQueue, inProcessLimit: 0 });
    expect(evening.summary.totals).toEqual({ dispatched: 4 });

    // The incident lands before the resume's workers read the holds: they skip every task, lifting only the window's hold.
    const incident = await fleet.run({ action: 'pause', source: 'INC-9', reason: 'INC-9' });
    const workers = await Promise.all(workQueue.drain().map((m) => runWorkMessage(m, workerDeps(fleet))));

    expect(incident.summary.totals).toEqual({ 'already-paused': 5 });
    expect(workers.flatMap((w) => w.outcomes.map((o) => o.reason))).toEqual(
      Array(4).fill('still held paused by INC-9; resume there, or force'),
    );
    expect(pausedNow(fleet)).toEqual(ALL_FOUR);
    expect(await holdsBySource(fleet.ledger)).toEqual({ 'INC-9': ALL_FOUR });

    const over = await fleet.run({ action: 'resume', source: 'INC-9', reason: 'INC-9 resolved' });
    expect(over.summary.totals).toEqual({ resumed: 4 });
    expect(pausedNow(fleet)).toEqual([]);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('pauses again what the window resume is resuming at the moment an incident pause arrives', async () => {
    const fleet = await startFleet({ ...dayScenario(), transitionMs: 300 }, { ledger: await openLedger() });
    await fleet.run({ action: 'pause', source: WINDOW });
    const workQueue = new MemoryWorkQueue();
    await fleet.run({ action: 'resume', source: WINDOW }, { workQueue, inProcessLimit: 0 });

    // The workers are in flight (each holds its targets' leases while it resumes and confirms) when the incident comes.
    const workers = Promise.all(workQueue.drain().map((m) => runWorkMessage(m, workerDeps(fleet))));
    await until(() => actionRequests(fleet.sim).some((r) => r.path.endsWith('/start') || r.path.endsWith('batch-retry-task')));
    const incident = await fleet.run({ action: 'pause', source: 'INC-9', reason: 'INC-9' });
    await workers;

    // Whatever the order at each task, none is left running, and each is held by the incident alone.
    expect(incident.summary.totals.failed).toBeUndefined();
    expect(pausedNow(fleet)).toEqual(ALL_FOUR);
    expect(await holdsBySource(fleet.ledger)).toEqual({ 'INC-9': ALL_FOUR });

    const over = await fleet.run({ action: 'resume', source: 'INC-9', reason: 'INC-9 resolved' });
    expect(over.summary.totals).toEqual({ resumed: 4 });
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('resumes regardless of other holds on force', async () => {
    const fleet = await startFleet(dayScenario(), { ledger: await openLedger() });
    await fleet.run({ action: 'pause', source: WINDOW, scope: { providers: ['huawei-drs'] } });
    await fleet.run({ action: 'pause', source: 'INC-1', scope: { providers: ['huawei-drs'] } });

    const forced = await fleet.run({ action: 'resume', source: 'oncall', options: { force: true }, reason: 'forced by on-call' });

    expect(forced.summary.totals).toEqual({ resumed: 2 });
    expect(forced.outcomes.map((o) => o.reason)).toEqual(
      Array(2).fill('forced by tests: lifted the holds of INC-1, window:business-hours'),
    );
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
  });

  it('stops counting an expired hold', async () => {
    const fleet = await startFleet(dayScenario(), { ledger: await openLedger() });
    await fleet.run({ action: 'pause', source: WINDOW, scope: { providers: ['huawei-drs'] } });
    await fleet.run({ action: 'pause', source: 'INC-2', scope: { providers: ['huawei-drs'] }, until: '2020-01-01T00:00:00Z' });

    const evening = await fleet.run({ action: 'resume', source: WINDOW });

    expect(evening.summary.totals).toEqual({ resumed: 2 });
  });

  it('makes exactly one provider call per target when the same command arrives three times', async () => {
    const fleet = await startFleet(dayScenario(), { ledger: await openLedger() });
    const command = { action: 'pause', commandId: '11111111-1111-4111-8111-111111111111', source: WINDOW } as const;

    // Two deliveries at once: the one that finds the other's claims live goes back to the queue, reporting nothing.
    const both = await Promise.allSettled([fleet.run(command), fleet.run(command)]);
    const third = await fleet.run(command);
    const first = both.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))[0];
    for (const r of both) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ClaimsInProgressError);

    const pauses = actionRequests(fleet.sim).filter((r) => r.method === 'POST');
    expect(pauses.filter((r) => r.path.includes('/policy/'))).toHaveLength(2);
    expect(pauses.filter((r) => r.path.endsWith('batch-pause-task'))).toHaveLength(1);
    expect(third.summary.totals).toEqual({ paused: 4, 'already-paused': 1 });
    expect(first?.summary.targets).toBe(5);
  });
});

describe('the expired-holds sweep', () => {
  it('resumes a target once its last hold has expired, and leaves one still held', async () => {
    const fleet = await startFleet(dayScenario());
    await fleet.run({ action: 'pause', source: 'INC-3', scope: { providers: ['huawei-drs'] }, until: '2020-01-01T00:00:00Z' });
    await fleet.run({ action: 'pause', source: 'INC-4', scope: { taskIds: ['photos'] }, until: '2020-01-01T00:00:00Z' });
    await fleet.run({ action: 'pause', source: WINDOW, scope: { taskIds: ['photos'] } });

    const sweep = await fleet.run({
      action: 'resume',
      source: 'window:expired-holds',
      options: { expiredHolds: true },
      reason: 'holds expired',
    });

    expect(sweep.outcomes.map((o) => `${o.target.name}:${o.outcome}`).sort()).toEqual(['orders-db:resumed', 'users-db:resumed']);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect((await fleet.ledger.pausedByUs()).map((h) => `${h.target.taskId}:${h.source}`).sort()).toEqual([
      'photos:INC-4',
      `photos:${WINDOW}`,
    ]);
  });
});

describe('work the ledger does not account for (a forged or stray work message)', () => {
  it('resumes no task paused by hand, on any phase or on force, and tells a human who asked', async () => {
    const fleet = await startFleet(dayScenario());
    const byHand = fleet.sim.task('ncp-object-migration', 'paused-by-hand');
    if (!byHand) throw new Error('the day scenario has a task paused by hand');
    const item = {
      target: {
        provider: 'ncp-object-migration' as const,
        account: NCP_MAIN.name,
        taskId: 'paused-by-hand',
        name: 'paused-by-hand',
        stateBefore: 'PAUSED',
        phaseBefore: 'paused' as const,
      },
      task: {
        provider: 'ncp-object-migration' as const,
        account: NCP_MAIN.name,
        taskId: 'paused-by-hand',
        name: 'paused-by-hand',
        state: 'PAUSED',
        phase: 'paused' as const,
      },
    };
    const forged = (options: Partial<CommandInput['options']>, phase: 'act' | 'confirm') =>
      workMessageSchema.parse({
        version: 1,
        command: parseCommand({
          action: 'resume',
          scope: { all: true },
          source: 'window:business-hours',
          reason: 'looks routine',
          requestedBy: 'someone-else',
          options,
        }),
        account: NCP_MAIN.name,
        items: [item],
        phase,
      });

    for (const message of [forged({}, 'act'), forged({}, 'confirm'), forged({ force: true }, 'act')]) {
      const { outcomes } = await runWorkMessage(message, workerDeps(fleet));
      expect(outcomes.map((o) => o.outcome)).toEqual(['skipped']);
    }

    expect(actionRequests(fleet.sim)).toEqual([]);
    expect(fleet.sim.task('ncp-object-migration', 'paused-by-hand')?.state).toBe('PAUSED');
    expect(
      fleet.failures.messages.map((m) => [m.kind, 'reason' in m ? m.reason : '', 'requestedBy' in m ? m.requestedBy : '']),
    ).toEqual([
      ['suspicious-work', 'not held by window:business-hours', 'someone-else'],
      ['suspicious-work', 'not held by window:business-hours', 'someone-else'],
      ['suspicious-work', 'not held by any source: a forced resume resumes only what this system paused', 'someone-else'],
    ]);
  });
});
