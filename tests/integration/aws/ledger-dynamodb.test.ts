import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger, type DynamoDbLedgerOptions, LEDGER_TABLE } from '../../../lib/aws/ledger-dynamodb';
import { ConfigError } from '../../../lib/core/errors';
import { holdStatus } from '../../../lib/core/ledger';
import { targetKey } from '../../../lib/core/types';
import { anOutcome, aPauseRecord, aTarget } from '../../helpers/factories';
import { describeLedgerContract } from '../../helpers/ledger-contract';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../helpers/local-dynamodb';

let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb();
});

afterAll(async () => {
  await db?.stop();
});

async function openLedger(options: Partial<Omit<DynamoDbLedgerOptions, 'client' | 'tableName'>> = {}) {
  const tableName = await db.createLedgerTable();
  return { tableName, ledger: new DynamoDbLedger({ client: db.client, tableName, ...options }) };
}

const rawItem = async (tableName: string, pk: string, sk: string) =>
  (await DynamoDBDocumentClient.from(db.client).send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item;

const manyTargets = (count: number) => Array.from({ length: count }, (_, i) => aTarget({ taskId: `task-${i}` }));

describeLedgerContract('DynamoDbLedger', async (options) => (await openLedger({ now: options?.now })).ledger);

describe('DynamoDbLedger holds', () => {
  it('keeps listing the other holds after one is released, and a second release is not an error', async () => {
    const { ledger } = await openLedger();
    const [a, b, c] = manyTargets(3);
    if (!a || !b || !c) throw new Error('three targets expected');
    for (const target of [a, b, c]) await ledger.recordPause(aPauseRecord(target));

    await ledger.release(targetKey(b));
    await ledger.release(targetKey(b));
    await ledger.release('ncp-object-migration/ncp-main/never-held');

    expect((await ledger.pausedByUs()).map((r) => r.target.taskId).sort()).toEqual(['task-0', 'task-2']);
  });

  it('lets a later pause of the same target replace the earlier hold', async () => {
    const { ledger } = await openLedger();
    await ledger.recordPause(aPauseRecord(aTarget(), { commandId: 'window-09' }));

    await ledger.recordPause(aPauseRecord(aTarget(), { commandId: 'incident-11' }));

    expect((await ledger.pausedByUs()).map((r) => r.commandId)).toEqual(['incident-11']);
  });

  it('stores holds without an expiry, so retention never drops a pause we still hold', async () => {
    const { tableName, ledger } = await openLedger();
    const record = aPauseRecord();

    await ledger.recordPause(record);

    const item = await rawItem(tableName, `T#${record.key}`, 'T');
    expect(item?.holds[`s:${record.source}`]).toEqual(record);
    expect(item).not.toHaveProperty(LEDGER_TABLE.ttlAttribute);
  });
});

describe('DynamoDbLedger holds written by the version before write-ahead holds', () => {
  it('reads a hold without a status as held, in pausedByUs and holdsOf', async () => {
    const { tableName, ledger } = await openLedger();
    const record = aPauseRecord();
    await DynamoDBDocumentClient.from(db.client).send(
      new PutCommand({ TableName: tableName, Item: { pk: 'HOLDS', sk: `${record.key}#${record.source}`, kind: 'hold', record } }),
    );

    const [listed] = await ledger.pausedByUs();
    const [ofTarget] = await ledger.holdsOf([record.key]);

    expect(listed).toEqual(record);
    expect(ofTarget).toEqual(record);
    expect([listed, ofTarget].map((h) => h && holdStatus(h))).toEqual(['held', 'held']);
  });

  it('stores the status in the hold, and a confirmation replaces the pending one', async () => {
    const { tableName, ledger } = await openLedger();
    const record = aPauseRecord(aTarget(), { status: 'pending' });
    await ledger.recordPause(record);
    expect((await rawItem(tableName, `T#${record.key}`, 'T'))?.holds[`s:${record.source}`].status).toBe('pending');

    await ledger.recordPause({ ...record, status: 'held' });

    expect((await ledger.holdsOf([record.key])).map((h) => h.status)).toEqual(['held']);
  });

  it('reads the holds of many targets, and of no other target whose key starts the same', async () => {
    const { ledger } = await openLedger({ pageSize: 3 });
    const targets = manyTargets(40);
    await Promise.all(targets.map((target) => ledger.recordPause(aPauseRecord(target))));
    await ledger.recordPause(aPauseRecord(aTarget({ taskId: 'task-1-other' })));

    const holds = await ledger.holdsOf([
      ...targets.slice(0, 30).map((t) => targetKey(t)),
      targetKey(aTarget({ taskId: 'task-1' })),
    ]);

    expect(holds.map((h) => h.target.taskId).sort()).toEqual(
      targets
        .slice(0, 30)
        .map((t) => t.taskId)
        .sort(),
    );
  });
});

describe('DynamoDbLedger leases', () => {
  it('leases many targets in one call, and releases them', async () => {
    const now = Date.parse('2026-11-28T00:00:00.000Z');
    const { ledger } = await openLedger({ now: () => new Date(now) });
    const keys = manyTargets(100).map((t) => targetKey(t));
    const [taken] = keys;
    if (!taken) throw new Error('a key expected');
    await ledger.acquireLeases([taken], { holder: 'incident', expiresAt: now + 60_000 });

    const leased = await ledger.acquireLeases(keys, { holder: 'resume', expiresAt: now + 60_000 });
    expect(leased.size).toBe(99);
    expect(leased.has(taken)).toBe(false);

    await ledger.releaseLeases(keys, 'resume');
    expect((await ledger.acquireLeases(keys, { holder: 'other', expiresAt: now + 60_000 })).size).toBe(99);
  });

  it('sends at most 16 lease writes at a time, however many targets', async () => {
    const { tableName } = await openLedger();
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'ap-northeast-2',
      credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
      maxAttempts: 1,
    });
    let inFlight = 0;
    let most = 0;
    client.middlewareStack.add(
      (next) => async (args) => {
        most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize' },
    );
    const ledger = new DynamoDbLedger({ client, tableName });
    const keys = manyTargets(80).map((t) => targetKey(t));

    expect((await ledger.acquireLeases(keys, { holder: 'resume', expiresAt: Date.now() + 60_000 })).size).toBe(80);
    expect(most).toBe(16);
    client.destroy();
  });

  it('counts a lease as run out from the millisecond it ends, as the memory ledger does', async () => {
    const now = Date.parse('2026-11-28T00:00:00.000Z');
    const { ledger } = await openLedger({ now: () => new Date(now) });
    const key = targetKey(aTarget());
    await ledger.acquireLeases([key], { holder: 'resume', expiresAt: now });

    expect([...(await ledger.acquireLeases([key], { holder: 'incident', expiresAt: now + 1_000 })).keys()]).toEqual([key]);
  });

  it('keeps the lease on the target item, its end in milliseconds, and gives the item no TTL', async () => {
    const now = Date.parse('2026-11-28T00:00:00.000Z');
    const { tableName, ledger } = await openLedger({ now: () => new Date(now) });
    const key = targetKey(aTarget());

    await ledger.acquireLeases([key], { holder: 'resume', expiresAt: now + 30_000 });

    const item = await rawItem(tableName, `T#${key}`, 'T');
    expect(item).toMatchObject({ leaseHolder: 'resume', leaseExpiresAt: now + 30_000, holds: {} });
    expect(item).not.toHaveProperty(LEDGER_TABLE.ttlAttribute);
  });

  it('leaves the holds alone: leases are not holds', async () => {
    const { ledger } = await openLedger();
    const key = targetKey(aTarget());

    await ledger.acquireLeases([key], { holder: 'resume', expiresAt: Date.now() + 60_000 });

    expect(await ledger.pausedByUs()).toEqual([]);
    expect(await ledger.holdsOf([key])).toEqual([]);
  });
});

describe('DynamoDbLedger claims', () => {
  it('reads a claim written by the version before claim leases (no holder, no lease) as done', async () => {
    const { tableName, ledger } = await openLedger();
    const key = targetKey(aTarget());
    await DynamoDBDocumentClient.from(db.client).send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: 'CMD#cmd-old',
          sk: `CLAIM#${key}`,
          kind: 'claim',
          claimedAt: '2026-11-27T09:00:00.000Z',
          expiresAt: 1_900_000_000,
        },
      }),
    );

    expect(await ledger.claim('cmd-old', key, { holder: 'd1', expiresAt: Date.now() + 60_000 })).toBe('done');
    expect(await rawItem(tableName, 'CMD#cmd-old', `CLAIM#${key}`)).not.toHaveProperty('holder');
  });

  it('keeps the TTL of a claim when it is taken over and finished', async () => {
    const now = Date.parse('2026-11-28T09:00:00.000Z');
    let clock = now;
    const { tableName, ledger } = await openLedger({ now: () => new Date(clock), retentionDays: 30 });
    const key = targetKey(aTarget());
    await ledger.claim('cmd-ttl', key, { holder: 'd1', expiresAt: clock + 1_000 });

    clock += 60_000;
    expect(await ledger.claim('cmd-ttl', key, { holder: 'd2', expiresAt: clock + 1_000 })).toBe('taken-over');
    await ledger.finishClaim('cmd-ttl', key);

    const item = await rawItem(tableName, 'CMD#cmd-ttl', `TARGET#${key}`);
    expect(item).toMatchObject({ holder: 'd2', done: true, [LEDGER_TABLE.ttlAttribute]: now / 1000 + 30 * 86_400 });
  });

  it('answers claimed to the holder that claims again, expired or not', async () => {
    let clock = Date.parse('2026-11-28T09:00:00.000Z');
    const { ledger } = await openLedger({ now: () => new Date(clock) });
    const key = targetKey(aTarget());
    await ledger.claim('cmd-1', key, { holder: 'd1', expiresAt: clock + 1_000 });

    expect(await ledger.claim('cmd-1', key, { holder: 'd1', expiresAt: clock + 1_000 })).toBe('claimed');
    clock += 60_000;
    expect(await ledger.claim('cmd-1', key, { holder: 'd1', expiresAt: clock + 1_000 })).toBe('claimed');
  });

  it('keeps claims out of the outcomes of a command', async () => {
    const { ledger } = await openLedger();
    await ledger.claim('cmd-1', targetKey(aTarget()), { holder: 'd1', expiresAt: Date.now() + 60_000 });
    await ledger.finishClaim('cmd-1', targetKey(aTarget()));

    expect(await ledger.outcomesOf('cmd-1')).toEqual([]);
  });
});

describe('DynamoDbLedger paging', () => {
  it('returns every hold when they span many Query pages', async () => {
    const { ledger } = await openLedger({ pageSize: 7 });
    await Promise.all(manyTargets(300).map((target) => ledger.recordPause(aPauseRecord(target))));

    const holds = await ledger.pausedByUs();

    expect(new Set(holds.map((r) => r.key)).size).toBe(300);
  });

  it('returns every hold when they are more than the 1 MB DynamoDB returns in one Query', async () => {
    const { ledger } = await openLedger();
    const longReason = 'r'.repeat(4_000);
    await Promise.all(manyTargets(400).map((target) => ledger.recordPause(aPauseRecord(target, { reason: longReason }))));

    const holds = await ledger.pausedByUs();

    expect(holds).toHaveLength(400);
  });

  it('returns every outcome of a command when they span many Query pages', async () => {
    const { ledger } = await openLedger({ pageSize: 7 });
    await Promise.all(manyTargets(300).map((target) => ledger.recordOutcome('cmd-big', anOutcome({ target }))));

    const outcomes = await ledger.outcomesOf('cmd-big');

    expect(new Set(outcomes.map((o) => o.target.taskId)).size).toBe(300);
  });
});

describe('DynamoDbLedger history', () => {
  it('gives outcome items the TTL attribute, retentionDays after they were written', async () => {
    const now = new Date('2026-11-28T09:00:00.000Z');
    const { tableName, ledger } = await openLedger({ now: () => now, retentionDays: 30 });
    const outcome = anOutcome();

    await ledger.recordOutcome('cmd-ttl', outcome);

    const item = await rawItem(tableName, 'CMD#cmd-ttl', `TARGET#${targetKey(outcome.target)}`);
    expect(item?.[LEDGER_TABLE.ttlAttribute]).toBe(now.getTime() / 1000 + 30 * 86_400);
  });

  it('keeps 90 days of history when no retention is given', async () => {
    const now = new Date('2026-11-28T09:00:00.000Z');
    const { tableName, ledger } = await openLedger({ now: () => now });
    const outcome = anOutcome();

    await ledger.recordOutcome('cmd-default', outcome);

    const item = await rawItem(tableName, 'CMD#cmd-default', `TARGET#${targetKey(outcome.target)}`);
    expect(item?.[LEDGER_TABLE.ttlAttribute]).toBe(now.getTime() / 1000 + 90 * 86_400);
  });

  it('lists the history of one target across commands, oldest first', async () => {
    const { ledger } = await openLedger();
    const target = aTarget({ taskId: 'drs-job-1' });
    await ledger.recordOutcome('resume-18', anOutcome({ target, outcome: 'already-paused', finishedAt: '2026-11-28T18:00:01Z' }));
    await ledger.recordOutcome('pause-09', anOutcome({ target, outcome: 'paused', finishedAt: '2026-11-28T09:00:01Z' }));
    await ledger.recordOutcome('pause-09', anOutcome({ target: aTarget({ taskId: 'other' }) }));

    const history = await ledger.historyOf(targetKey(target));

    expect(history.map((h) => [h.commandId, h.outcome.outcome])).toEqual([
      ['pause-09', 'paused'],
      ['resume-18', 'already-paused'],
    ]);
  });

  it('stores an outcome whose optional fields are present but undefined', async () => {
    const { ledger } = await openLedger();

    await ledger.recordOutcome('cmd-sparse', anOutcome({ reason: undefined, stateAfter: undefined }));

    expect(await ledger.outcomesOf('cmd-sparse')).toEqual([anOutcome()]);
  });
});

describe('DynamoDbLedger table', () => {
  it('creates the table with the keys and index of LEDGER_TABLE', async () => {
    const { tableName } = await openLedger();

    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: tableName }));

    expect(Table?.KeySchema?.map((k) => k.AttributeName)).toEqual([LEDGER_TABLE.partitionKey, LEDGER_TABLE.sortKey]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema?.map((k) => k.AttributeName)])).toEqual([
      [LEDGER_TABLE.commandIndex.name, [LEDGER_TABLE.commandIndex.partitionKey, LEDGER_TABLE.commandIndex.sortKey]],
      [LEDGER_TABLE.holdsIndex.name, [LEDGER_TABLE.holdsIndex.partitionKey, LEDGER_TABLE.holdsIndex.sortKey]],
    ]);
  });

  it('refuses an item it cannot read instead of returning half a record', async () => {
    const { tableName, ledger } = await openLedger();
    await DynamoDBDocumentClient.from(db.client).send(
      new PutCommand({ TableName: tableName, Item: { pk: 'HOLDS', sk: 'x/y/z', kind: 'hold', record: { key: 'x/y/z' } } }),
    );

    await expect(ledger.pausedByUs()).rejects.toBeInstanceOf(ConfigError);
  });
});
