import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger, type DynamoDbLedgerOptions, LEDGER_TABLE } from '../../../lib/aws/ledger-dynamodb';
import { ConfigError } from '../../../lib/core/errors';
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

    const item = await rawItem(tableName, 'HOLDS', `${record.key}#${record.source}`);
    expect(item?.record).toEqual(record);
    expect(item).not.toHaveProperty(LEDGER_TABLE.ttlAttribute);
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
