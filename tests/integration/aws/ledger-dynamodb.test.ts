import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLedger, type DynamoDbLedgerOptions, LEDGER_TABLE, shardOf } from '../../../lib/aws/ledger-dynamodb';
import { ConfigError } from '../../../lib/core/errors';
import { collectHolds, holdStatus, type PauseRecord } from '../../../lib/core/ledger';
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
    await Promise.all(manyTargets(300).map((target) => ledger.recordOutcomes('cmd-big', [anOutcome({ target })])));

    const outcomes = await ledger.outcomesOf('cmd-big');

    expect(new Set(outcomes.map((o) => o.target.taskId)).size).toBe(300);
  });
});

describe('DynamoDbLedger history', () => {
  it('gives outcome items the TTL attribute, retentionDays after they were written', async () => {
    const now = new Date('2026-11-28T09:00:00.000Z');
    const { tableName, ledger } = await openLedger({ now: () => now, retentionDays: 30 });
    const outcome = anOutcome();

    await ledger.recordOutcomes('cmd-ttl', [outcome]);

    const item = await rawItem(tableName, 'CMD#cmd-ttl', `TARGET#${targetKey(outcome.target)}`);
    expect(item?.[LEDGER_TABLE.ttlAttribute]).toBe(now.getTime() / 1000 + 30 * 86_400);
  });

  it('keeps 90 days of history when no retention is given', async () => {
    const now = new Date('2026-11-28T09:00:00.000Z');
    const { tableName, ledger } = await openLedger({ now: () => now });
    const outcome = anOutcome();

    await ledger.recordOutcomes('cmd-default', [outcome]);

    const item = await rawItem(tableName, 'CMD#cmd-default', `TARGET#${targetKey(outcome.target)}`);
    expect(item?.[LEDGER_TABLE.ttlAttribute]).toBe(now.getTime() / 1000 + 90 * 86_400);
  });

  it('lists the history of one target across commands, oldest first', async () => {
    const { ledger } = await openLedger();
    const target = aTarget({ taskId: 'drs-job-1' });
    await ledger.recordOutcomes('resume-18', [
      anOutcome({ target, outcome: 'already-paused', finishedAt: '2026-11-28T18:00:01Z' }),
    ]);
    await ledger.recordOutcomes('pause-09', [anOutcome({ target, outcome: 'paused', finishedAt: '2026-11-28T09:00:01Z' })]);
    await ledger.recordOutcomes('pause-09', [anOutcome({ target: aTarget({ taskId: 'other' }) })]);

    const history = await ledger.historyOf(targetKey(target));

    expect(history.map((h) => [h.commandId, h.outcome.outcome])).toEqual([
      ['pause-09', 'paused'],
      ['resume-18', 'already-paused'],
    ]);
  });

  it('stores an outcome whose optional fields are present but undefined', async () => {
    const { ledger } = await openLedger();

    await ledger.recordOutcomes('cmd-sparse', [anOutcome({ reason: undefined, stateAfter: undefined })]);

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

const countingClient = () => {
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
    maxAttempts: 1,
  });
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'finalizeRequest' },
  );
  return { client, sent };
};

const countOf = (sent: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const name of sent) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};

const sourceIndexEntries = async (tableName: string, source: string) => {
  const documents = DynamoDBDocumentClient.from(db.client);
  let count = 0;
  for (let shard = 0; shard < LEDGER_TABLE.shards; shard++) {
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `S#${source}#${shard}` },
      }),
    );
    count += Items?.length ?? 0;
  }
  return count;
};

describe('DynamoDbLedger at scale: items per target, a sharded source index', () => {
  it('reads the holds of one source across shards and pages, and drops the stale index entries it meets', async () => {
    const { tableName, ledger } = await openLedger({ pageSize: 4 });
    const targets = manyTargets(60);
    await Promise.all(targets.map((t) => ledger.recordPause(aPauseRecord(t, { source: 'INC-1' }))));
    await Promise.all(targets.slice(40).map((t) => ledger.recordPause(aPauseRecord(t, { source: 'window:x' }))));
    expect(new Set(targets.map((t) => shardOf(targetKey(t)))).size).toBe(LEDGER_TABLE.shards);

    const pages: PauseRecord[][] = [];
    for await (const page of ledger.holdsOfSource('INC-1')) pages.push(page);
    expect(pages.length).toBeGreaterThan(1);
    expect(
      pages
        .flat()
        .map((h) => `${h.source}:${h.target.taskId}`)
        .sort(),
    ).toEqual(targets.map((t) => `INC-1:${t.taskId}`).sort());

    for (const t of targets.slice(0, 10)) await ledger.release(targetKey(t), 'INC-1');
    await ledger.release(targetKey(targets[45] ?? aTarget()));
    expect(await sourceIndexEntries(tableName, 'INC-1')).toBe(60); // lifting a hold wrote no index entry

    const after = await collectHolds(ledger.holdsOfSource('INC-1'));
    expect(after).toHaveLength(49);
    expect(await sourceIndexEntries(tableName, 'INC-1')).toBe(49);
    expect((await collectHolds(ledger.holdsOfSource('window:x'))).map((h) => h.target.taskId).sort()).toEqual(
      targets
        .slice(40)
        .filter((_, i) => i !== 5)
        .map((t) => t.taskId)
        .sort(),
    );
    expect(await collectHolds(ledger.holdsOfSource('nobody'))).toEqual([]);
  });

  it('lists every hold in pages, and a target whose holds are all lifted leaves the allHolds index', async () => {
    const { tableName, ledger } = await openLedger({ pageSize: 3 });
    const targets = manyTargets(30);
    await Promise.all(targets.map((t) => ledger.recordPause(aPauseRecord(t))));
    await ledger.release(targetKey(targets[0] ?? aTarget()), 'manual');
    await ledger.release(targetKey(targets[1] ?? aTarget()));

    const all = await collectHolds(ledger.allHolds());

    expect(all).toHaveLength(28);
    expect(await rawItem(tableName, `T#${targetKey(targets[0] ?? aTarget())}`, 'T')).not.toHaveProperty('apk');
    expect(await rawItem(tableName, `T#${targetKey(targets[1] ?? aTarget())}`, 'T')).not.toHaveProperty('apk');
  });

  it('returns each leased target with its holds, read under the lease', async () => {
    const { ledger } = await openLedger();
    const [a, b] = manyTargets(2).map((t) => targetKey(t));
    if (!a || !b) throw new Error('two keys expected');
    await ledger.recordPause(aPauseRecord(aTarget({ taskId: 'task-0' }), { source: 'INC-1' }));
    await ledger.recordPause(aPauseRecord(aTarget({ taskId: 'task-0' }), { source: 'window:x' }));

    const leased = await ledger.acquireLeases([a, b], { holder: 'w1', expiresAt: Date.now() + 60_000 });

    expect(
      leased
        .get(a)
        ?.map((h) => h.source)
        .sort(),
    ).toEqual(['INC-1', 'window:x']);
    expect(leased.get(b)).toEqual([]);
  });

  it('changes the holds of targets leased to this holder only, and gives the leases back in the same write', async () => {
    let clock = Date.parse('2026-11-28T00:00:00.000Z');
    const { tableName, ledger } = await openLedger({ now: () => new Date(clock) });
    const [ta, tb, tc] = manyTargets(3);
    if (!ta || !tb || !tc) throw new Error('three targets expected');
    const [a, b, c] = [ta, tb, tc].map((t) => targetKey(t)) as [string, string, string];
    await ledger.recordPause(aPauseRecord(ta, { source: 'window:x' }));
    await ledger.recordPause(aPauseRecord(tb, { source: 'window:x' }));
    await ledger.recordPause(aPauseRecord(tc, { source: 'window:x' }));
    await ledger.recordPause(aPauseRecord(tc, { source: 'INC-1' }));
    await ledger.acquireLeases([a, b, c], { holder: 'w1', expiresAt: clock + 10_000 });
    clock += 20_000; // w1's lease on b runs out, and w2 takes it
    await ledger.acquireLeases([b], { holder: 'w2', expiresAt: clock + 10_000 });

    await ledger.changeHolds(
      'w1',
      [
        { key: a, remove: ['window:x'], put: [aPauseRecord(ta, { source: 'INC-2', status: 'pending' })] },
        { key: b, remove: ['window:x'] },
        { key: c, remove: ['window:x'] },
      ],
      { releaseLease: true },
    );

    expect((await ledger.holdsOf([a, b, c])).map((h) => `${h.target.taskId}:${h.source}`).sort()).toEqual([
      'task-0:INC-2',
      'task-1:window:x',
      'task-2:INC-1',
    ]);
    expect(await rawItem(tableName, `T#${a}`, 'T')).not.toHaveProperty('leaseHolder');
    expect(await rawItem(tableName, `T#${b}`, 'T')).toMatchObject({ leaseHolder: 'w2' });
    expect(await collectHolds(ledger.holdsOfSource('INC-2'))).toHaveLength(1);
  });

  it('keeps a target in the allHolds index when a hold was placed outside the lease meanwhile', async () => {
    const { ledger } = await openLedger();
    const target = aTarget();
    const key = targetKey(target);
    await ledger.recordPause(aPauseRecord(target, { source: 'window:x' }));
    await ledger.acquireLeases([key], { holder: 'w1', expiresAt: Date.now() + 60_000 });
    await ledger.recordPause(aPauseRecord(target, { source: 'cli-operator' })); // not under the lease

    await ledger.changeHolds('w1', [{ key, remove: ['window:x'] }], { releaseLease: true });

    expect((await ledger.pausedByUs()).map((h) => h.source)).toEqual(['cli-operator']);
  });

  it('records 60 outcomes in batches, finishing their claims, and keeps claim-only items out of the outcomes', async () => {
    const { ledger } = await openLedger({ pageSize: 7 });
    const targets = manyTargets(70);
    const until = Date.now() + 60_000;
    for (const t of targets)
      expect(await ledger.claim('cmd-60', targetKey(t), { holder: 'd1', expiresAt: until })).toBe('claimed');

    await ledger.recordOutcomes(
      'cmd-60',
      targets.slice(0, 60).map((target) => anOutcome({ target, outcome: 'resumed' })),
    );

    const outcomes = await ledger.outcomesOf('cmd-60');
    expect(outcomes.map((o) => o.target.taskId).sort()).toEqual(
      targets
        .slice(0, 60)
        .map((t) => t.taskId)
        .sort(),
    );
    expect(await ledger.claim('cmd-60', targetKey(targets[0] ?? aTarget()), { holder: 'd2', expiresAt: until })).toBe('done');
    expect(await ledger.claim('cmd-60', targetKey(targets[65] ?? aTarget()), { holder: 'd2', expiresAt: until })).toBe(
      'in-progress',
    );
    expect((await ledger.history({ targetKey: targetKey(targets[3] ?? aTarget()) })).map((e) => e.commandId)).toEqual(['cmd-60']);
  });
});

describe('DynamoDbLedger on a table the version before this one wrote', () => {
  it('moves the holds kept in pk HOLDS into their target items on the first listing, keeping newer ones', async () => {
    const { tableName, ledger } = await openLedger();
    const documents = DynamoDBDocumentClient.from(db.client);
    const [a, b] = manyTargets(2);
    if (!a || !b) throw new Error('two targets expected');
    const legacy = [
      aPauseRecord(a, { source: 'window:x' }),
      aPauseRecord(a, { source: 'INC-1', status: 'pending' }),
      aPauseRecord(b, { source: 'INC-1', reason: 'old' }),
    ];
    for (const record of legacy) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: 'HOLDS', sk: `${record.key}#${record.source}`, kind: 'hold', record },
        }),
      );
    }
    await ledger.recordPause(aPauseRecord(b, { source: 'INC-1', reason: 'new' })); // written by this version since
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'CMD#cmd-old', sk: `CLAIM#${targetKey(a)}`, kind: 'claim', holder: 'd0', leaseExpiresAt: 1, done: true },
      }),
    );

    const ofIncident = await collectHolds(ledger.holdsOfSource('INC-1'));

    expect(ofIncident.map((h) => `${h.target.taskId}:${h.reason}:${h.status ?? ''}`).sort()).toEqual([
      'task-0:test:pending',
      'task-1:new:',
    ]);
    expect((await ledger.pausedByUs()).map((h) => `${h.target.taskId}:${h.source}`).sort()).toEqual([
      'task-0:INC-1',
      'task-0:window:x',
      'task-1:INC-1',
    ]);
    expect(
      (
        await documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'HOLDS' },
          }),
        )
      ).Items,
    ).toEqual([]);
    expect(await ledger.migrateLegacyHolds()).toBe(0);
    expect((await ledger.holdsOf([targetKey(a)])).map((h) => h.source).sort()).toEqual(['INC-1', 'window:x']);
    expect(await ledger.claim('cmd-old', targetKey(a), { holder: 'd1', expiresAt: Date.now() + 60_000 })).toBe('done');
    expect(await ledger.claim('cmd-old', targetKey(b), { holder: 'd1', expiresAt: Date.now() + 60_000 })).toBe('claimed');
  });
});

describe('DynamoDbLedger batches DynamoDB leaves unprocessed', () => {
  it('asks again for the keys a BatchGetItem left unprocessed', async () => {
    const { tableName, ledger: setup } = await openLedger();
    const targets = manyTargets(40);
    await Promise.all(targets.map((t) => setup.recordPause(aPauseRecord(t))));
    const { client, sent } = countingClient();
    let throttled = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output as { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: unknown };
        const found = output.Responses?.[tableName];
        if (context.commandName === 'BatchGetItemCommand' && !throttled && found && found.length > 1) {
          throttled = true; // as DynamoDB does when throttled or past 16 MB: half the keys come back unprocessed
          const left = found.splice(0, Math.floor(found.length / 2));
          output.UnprocessedKeys = {
            [tableName]: { Keys: left.map((item) => ({ pk: item.pk, sk: item.sk })), ConsistentRead: true },
          };
        }
        return result;
      },
      { step: 'initialize' },
    );
    const ledger = new DynamoDbLedger({ client, tableName });

    const holds = await ledger.holdsOf(targets.slice(0, 30).map((t) => targetKey(t)));

    expect(throttled).toBe(true);
    expect(holds.map((h) => h.target.taskId).sort()).toEqual(
      targets
        .slice(0, 30)
        .map((t) => t.taskId)
        .sort(),
    );
    expect(sent.filter((name) => name === 'BatchGetItem')).toHaveLength(2);
    client.destroy();
  });
});

describe('DynamoDbLedger request budget', () => {
  it('resumes 200 held targets in at most 4 ledger requests per target, plan and workers together', async () => {
    const { tableName, ledger: setup } = await openLedger();
    const targets = manyTargets(200);
    const source = 'window:business-hours';
    await Promise.all(targets.map((t) => setup.recordPause(aPauseRecord(t, { source, status: 'held' }))));
    await Promise.all(targets.slice(0, 20).map((t) => setup.recordPause(aPauseRecord(t, { source: 'INC-7' }))));

    // The plan: its own source's holds, nothing else.
    const plan = countingClient();
    const planned = await collectHolds(new DynamoDbLedger({ client: plan.client, tableName }).holdsOfSource(source));
    expect(planned).toHaveLength(200);

    // Four workers, each with its own chunk of 50: claim, lease (holds come back), lift its hold and give the lease
    // back in one write, record the outcomes in batches.
    const workers = countingClient();
    const commandId = 'resume-18';
    await Promise.all(
      [0, 1, 2, 3].map(async (w) => {
        const ledger = new DynamoDbLedger({ client: workers.client, tableName });
        const chunk = planned.slice(w * 50, w * 50 + 50).map((h) => h.key);
        const lease = { holder: `worker-${w}`, expiresAt: Date.now() + 60_000 };
        for (const key of chunk) expect(await ledger.claim(commandId, key, lease)).toBe('claimed');
        const leased = await ledger.acquireLeases(chunk, lease);
        expect(leased.size).toBe(50);
        await ledger.changeHolds(
          lease.holder,
          chunk.map((key) => ({ key, remove: [source] })),
          { releaseLease: true },
        );
        const resumed = chunk.flatMap((key) => (leased.get(key)?.length === 1 ? [key] : []));
        await ledger.recordOutcomes(
          commandId,
          targets.filter((t) => resumed.includes(targetKey(t))).map((target) => anOutcome({ target, outcome: 'resumed' })),
        );
      }),
    );

    const total = plan.sent.length + workers.sent.length;
    console.info(
      `resume of 200 held targets: plan ${JSON.stringify(countOf(plan.sent))}, workers ${JSON.stringify(countOf(workers.sent))}, ${total / 200} requests per target`,
    );
    expect(total).toBeLessThanOrEqual(4 * 200);
    expect([...plan.sent, ...workers.sent]).not.toContain('Scan');
    expect(workers.sent.filter((name) => name === 'Query').length).toBeLessThanOrEqual(4); // one legacy-claim probe per worker
    expect(await setup.outcomesOf(commandId)).toHaveLength(180);
    expect((await setup.pausedByUs()).map((h) => h.source)).toEqual(Array(20).fill('INC-7'));
    plan.client.destroy();
    workers.client.destroy();
  });
});
