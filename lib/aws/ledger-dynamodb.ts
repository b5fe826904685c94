import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  BatchGetCommandOutput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DynamoDBDocumentClient,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { ConfigError, ERROR_CLASSES } from '../core/errors';
import {
  applyHoldChange,
  type ClaimResult,
  collectHolds,
  type HistoryEntry,
  type HistoryFilter,
  type HoldChange,
  type Lease,
  type Ledger,
  type PauseRecord,
  selectHistory,
} from '../core/ledger';
import { OUTCOMES, type Target, type TargetKey, type TargetOutcome, targetKey } from '../core/types';
import { PROVIDER_KEYS, type TaskPhase } from '../providers/types';
import '../core/zod-messages';
import { type DocumentSdk, documentSdk, once } from './clients';

/**
 * The ledger table's key design, shared with serverless.yml and the tests. Shaped for 100,000 targets: a worker
 * reads and writes its own chunk's items only, a resume plans from its own source's index, nothing is scanned, and
 * no partition is read or written by every command.
 *
 * - target:  pk `T#<targetKey>`, sk `T` — the target's holds AND its lease, so one conditional write takes the
 *   lease and returns the holds, and one write changes the holds and gives the lease back:
 *   `holds` (a map `s:<source>` → PauseRecord; the `s:` keeps a source such as `__proto__` a plain key),
 *   `leaseHolder`, `leaseExpiresAt` (epoch ms), `tkey`, and while it may hold anything `apk` (`A#<shard>`) and
 *   `ask` (the target key), the keys of the sparse `allHolds` index. Never expires by TTL (a hold must never
 *   vanish): an item whose holds are all lifted stays behind, small, and leaves the `allHolds` index.
 * - source index: pk `S#<source>#<shard>`, sk `<targetKey>` — written (before the hold) whenever a hold of that
 *   source is placed, never deleted on the way: an entry whose target no longer has a hold of that source is stale,
 *   and holdsOfSource deletes it when it meets it. So lifting a hold costs no index write.
 * - outcome: pk `CMD#<commandId>`, sk `TARGET#<targetKey>` (outcomesOf is a Query), `done: true`, and on the
 *   byCommand index gsi1pk `TARGET#<targetKey>`, gsi1sk `<finishedAt>#<commandId>` (the history of a target,
 *   oldest first), expiring through the TTL attribute `expiresAt` (epoch seconds) after the retention period;
 * - claim:   the same key as the outcome, `CMD#<scope>` / `TARGET#<targetKey>`: `holder`, `leaseExpiresAt` (ms),
 *   `done`. Recording the outcome overwrites the claim of the command's own scope, which finishes it; a hand-off
 *   scope's claim is an item of its own that finishClaim marks done.
 * The shard (0..15) is a stable hash of the target key: the source index and the `allHolds` index spread over 16
 * partitions each. A lease's end is `leaseExpiresAt` (ms), never `expiresAt`: that is the TTL attribute, in seconds.
 *
 * The version before this one kept every hold in pk `HOLDS`, sk `<targetKey>#<source>`, leases at `T#<key>` /
 * `LEASE` (they expire by TTL) and claims at `CMD#<scope>` / `CLAIM#<key>`: migrateLegacyHolds moves such holds
 * into their target items (run once per ledger instance before the first listing of holds), and a legacy claim
 * reads as what it was.
 */
export const LEDGER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  commandIndex: { name: 'byCommand', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  holdsIndex: { name: 'allHolds', partitionKey: 'apk', sortKey: 'ask', projected: ['holds'] },
  ttlAttribute: 'expiresAt',
  shards: 16,
} as const;

/** The table as CreateTable wants it (tests; serverless.yml mirrors it and adds TTL and point-in-time recovery). */
export function createLedgerTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, commandIndex, holdsIndex } = LEDGER_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      partitionKey,
      sortKey,
      commandIndex.partitionKey,
      commandIndex.sortKey,
      holdsIndex.partitionKey,
      holdsIndex.sortKey,
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: commandIndex.name,
        KeySchema: [
          { AttributeName: commandIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: commandIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: holdsIndex.name,
        KeySchema: [
          { AttributeName: holdsIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: holdsIndex.sortKey, KeyType: 'RANGE' },
        ],
        // Only the holds: taking or giving back a lease changes no projected attribute, so costs no index write.
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...holdsIndex.projected] },
      },
    ],
  };
}

export interface DynamoDbLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long outcome history is kept before DynamoDB's TTL removes it (default 90 days). Holds never expire. */
  retentionDays?: number;
  now?: () => Date;
  /**
   * Items per Query page and keys per BatchGetItem (default: 1,000 index entries, DynamoDB's own 1 MB pages, 100
   * keys); small values let tests exercise paging.
   */
  pageSize?: number;
}

/** One entry of a target's history: an outcome and the command it belongs to. */
export interface TargetHistoryEntry {
  commandId: string;
  outcome: TargetOutcome;
}

const LEGACY_HOLDS_PARTITION = 'HOLDS';
const DEFAULT_RETENTION_DAYS = 90;
const SECONDS_PER_DAY = 86_400;

/** Reads and writes of many targets run this many at a time. */
const PARALLEL_REQUESTS = 16;
/** DynamoDB's own limits: keys per BatchGetItem, writes per BatchWriteItem. */
const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
/** Source-index entries per Query page: a holdsOfSource page is at most 16 of these. */
const INDEX_PAGE_SIZE = 1_000;
/** Attempts at a batch whose items DynamoDB left unprocessed (throttled), with a growing pause between them. */
const BATCH_ATTEMPTS = 8;
const BATCH_BACKOFF_MS = 25;

const commandPartition = (commandId: string) => `CMD#${commandId}`;
const targetSortKey = (key: TargetKey) => `TARGET#${key}`;
const claimKey = (scope: string, key: TargetKey) => ({ pk: commandPartition(scope), sk: targetSortKey(key) });
const legacyClaimKey = (scope: string, key: TargetKey) => ({ pk: commandPartition(scope), sk: `CLAIM#${key}` });
const targetItemKey = (key: TargetKey) => ({ pk: `T#${key}`, sk: 'T' });
const sourceIndexKey = (source: string, key: TargetKey) => ({ pk: sourceShardPartition(source, shardOf(key)), sk: key });
const sourceShardPartition = (source: string, shard: number) => `S#${source}#${shard}`;
const holdsShardPartition = (shard: number) => `A#${shard}`;
/** The key of a source's hold in a target item's `holds` map. */
const holdField = (source: string) => `s:${source}`;
const SHARDS = Array.from({ length: LEDGER_TABLE.shards }, (_, i) => i);

/** A stable shard (0..15) of a target key: FNV-1a of its UTF-16 code units. */
export function shardOf(key: TargetKey): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % LEDGER_TABLE.shards;
}

type Item = Record<string, unknown>;

/**
 * The AWS ledger. Its writes are single-item Puts and Updates (leases, claims and hold changes conditional ones)
 * and unconditional BatchWriteItems (outcomes, source-index entries), each durable on return, so flush() has
 * nothing to do; no transactions, so it also runs against dynalite in tests. It stores only what the Target,
 * PauseRecord and TargetOutcome types carry — nothing secret. A lease or claim counts as run out from the
 * millisecond it ends (`<= now`), as in the memory ledger.
 *
 * Reads of given targets (holdsOf, acquireLeases) and of a source's holds are strongly consistent; allHolds and
 * pausedByUs read the `allHolds` index, which DynamoDB updates a moment after each write: status, a forced resume
 * and the sweep may miss a hold placed a moment ago (the sweep's next round finds it).
 */
export class DynamoDbLedger implements Ledger {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly now: () => Date;
  private readonly pageSize: number | undefined;
  /** The sources of each target's holds as this holder read them under its lease (see changeHolds). */
  private readonly leasedSources = new Map<TargetKey, { holder: string; sources: Set<string> }>();
  /** Per claim scope: whether the version before this one left claims in it (asked once per scope). */
  private readonly legacyClaimScopes = new Map<string, Promise<boolean>>();

  constructor(options: DynamoDbLedgerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * SECONDS_PER_DAY;
    this.now = options.now ?? (() => new Date());
    this.pageSize = options.pageSize;
  }

  /**
   * Places (or replaces) one source's hold. The source-index entry is written first: a crash between the two leaves
   * a stale entry (harmless, dropped later), never a hold its source cannot find.
   */
  async recordPause(record: PauseRecord): Promise<void> {
    await this.writeIndexEntries([record]);
    await this.putHold(record, { onlyIfAbsent: false });
  }

  async holdsOf(keys: readonly TargetKey[]): Promise<PauseRecord[]> {
    const items = await this.batchGet([...new Set(keys)].map(targetItemKey));
    return items.flatMap((item) => this.holdsIn(item));
  }

  /**
   * The source's index, its 16 shards queried side by side (consistent reads), each round of pages read back from
   * the target items in BatchGetItems: only holds that really exist come out, and stale entries are deleted.
   */
  async *holdsOfSource(source: string): AsyncIterable<PauseRecord[]> {
    await this.migrated();
    const { sdk, client } = await this.documentsOf();
    const shards = SHARDS.map((shard) =>
      sdk
        .paginateQuery(
          { client, pageSize: this.pageSize ?? INDEX_PAGE_SIZE },
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': sourceShardPartition(source, shard) },
            ProjectionExpression: 'pk, sk',
            ConsistentRead: true,
          },
        )
        [Symbol.asyncIterator](),
    );
    for await (const entries of roundsOf(shards)) {
      const targets = await this.batchGet(entries.map((entry) => targetItemKey(String(entry.sk))));
      const byKey = new Map(targets.map((item) => [String(item.pk).slice(2), item]));
      const page: PauseRecord[] = [];
      const stale: Item[] = [];
      for (const entry of entries) {
        const item = byKey.get(String(entry.sk));
        const hold = item && this.holdsIn(item).find((h) => h.source === source);
        if (hold) page.push(hold);
        else stale.push({ pk: entry.pk, sk: entry.sk });
      }
      if (stale.length) await this.batchWrite(stale.map((Key) => ({ DeleteRequest: { Key } })));
      if (page.length) yield page;
    }
  }

  /** The `allHolds` index, its 16 shards queried side by side (eventually consistent, see the class comment). */
  async *allHolds(): AsyncIterable<PauseRecord[]> {
    await this.migrated();
    const { sdk, client } = await this.documentsOf();
    const { holdsIndex } = LEDGER_TABLE;
    const shards = SHARDS.map((shard) =>
      sdk
        .paginateQuery(
          { client, ...(this.pageSize === undefined ? {} : { pageSize: this.pageSize }) },
          {
            TableName: this.tableName,
            IndexName: holdsIndex.name,
            KeyConditionExpression: `${holdsIndex.partitionKey} = :apk`,
            ExpressionAttributeValues: { ':apk': holdsShardPartition(shard) },
          },
        )
        [Symbol.asyncIterator](),
    );
    for await (const items of roundsOf(shards)) {
      const page = items.flatMap((item) => this.holdsIn(item));
      if (page.length) yield page;
    }
  }

  async pausedByUs(): Promise<PauseRecord[]> {
    return collectHolds(this.allHolds());
  }

  /** Idempotent: lifting a hold that is not there (or of a target never seen) changes nothing. */
  async release(key: TargetKey, source?: string): Promise<void> {
    if (source === undefined) {
      await this.unlessConditionFails(
        this.update({
          TableName: this.tableName,
          Key: targetItemKey(key),
          UpdateExpression: 'SET holds = :empty REMOVE apk, ask',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      return;
    }
    let after: Item | undefined;
    await this.unlessConditionFails(
      this.update({
        TableName: this.tableName,
        Key: targetItemKey(key),
        UpdateExpression: 'REMOVE holds.#s',
        ConditionExpression: 'attribute_exists(holds)',
        ExpressionAttributeNames: { '#s': holdField(source) },
        ReturnValues: 'ALL_NEW',
      }).then((output) => {
        after = output.Attributes;
      }),
    );
    if (after && this.holdsIn(after).length === 0 && after.apk !== undefined) await this.leaveHoldsIndex(key);
  }

  /**
   * One conditional UpdateItem per target (16 at a time): taken when free, expired, or this holder's own (then
   * renewed); the item is made if the target has none yet, always with a `holds` map, and comes back with its holds.
   */
  async acquireLeases(keys: readonly TargetKey[], lease: Lease): Promise<Map<TargetKey, PauseRecord[]>> {
    const unique = [...new Set(keys)];
    const taken = await inParallel(unique, PARALLEL_REQUESTS, async (key) => {
      let holds: PauseRecord[] | undefined;
      await this.unlessConditionFails(
        this.update({
          TableName: this.tableName,
          Key: targetItemKey(key),
          UpdateExpression:
            'SET leaseHolder = :me, leaseExpiresAt = :until, holds = if_not_exists(holds, :empty), kind = :kind, tkey = :key',
          ConditionExpression: 'attribute_not_exists(leaseHolder) OR leaseExpiresAt <= :now OR leaseHolder = :me',
          ExpressionAttributeValues: {
            ':me': lease.holder,
            ':until': lease.expiresAt,
            ':now': this.now().getTime(),
            ':empty': {},
            ':kind': 'target',
            ':key': key,
          },
          ReturnValues: 'ALL_NEW',
        }).then((output) => {
          holds = this.holdsIn(output.Attributes ?? {});
        }),
      );
      return holds;
    });
    const leased = new Map<TargetKey, PauseRecord[]>();
    unique.forEach((key, i) => {
      const holds = taken[i];
      if (holds === undefined) return;
      leased.set(key, holds);
      this.leasedSources.set(key, { holder: lease.holder, sources: new Set(holds.map((h) => h.source)) });
    });
    return leased;
  }

  /**
   * One conditional UpdateItem per target (`leaseHolder = me`), 16 at a time, after the source-index entries of
   * the holds placed (BatchWriteItem). When the change lifts every hold this holder read under its lease, the same
   * write takes the target out of the `allHolds` index — on condition that the holds are still exactly those; if
   * someone placed another meanwhile, the change is written again without that.
   */
  async changeHolds(holder: string, changes: readonly HoldChange[], options: { releaseLease: boolean }): Promise<void> {
    const byKey = new Map<TargetKey, HoldChange[]>();
    for (const change of changes) byKey.set(change.key, [...(byKey.get(change.key) ?? []), change]);
    await this.writeIndexEntries(changes.flatMap((c) => c.put ?? []));
    await inParallel([...byKey], PARALLEL_REQUESTS, async ([key, ofKey]) => {
      for (const [i, change] of ofKey.entries()) {
        const last = i === ofKey.length - 1;
        await this.changeOne(holder, change, options.releaseLease && last);
      }
      if (options.releaseLease) this.leasedSources.delete(key);
    });
  }

  private async changeOne(holder: string, change: HoldChange, releaseLease: boolean): Promise<void> {
    const puts = [...new Map((change.put ?? []).map((h) => [h.source, h])).values()];
    const putSources = new Set(puts.map((h) => h.source));
    const removes = [...new Set(change.remove ?? [])].filter((s) => !putSources.has(s));
    const sets: string[] = [];
    const removals: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':me': holder };
    if (change.removeAll) {
      sets.push('holds = :all');
      values[':all'] = holdsMap(puts);
    } else {
      puts.forEach((hold, i) => {
        sets.push(`holds.#p${i} = :p${i}`);
        names[`#p${i}`] = holdField(hold.source);
        values[`:p${i}`] = hold;
      });
      removes.forEach((source, i) => {
        removals.push(`holds.#r${i}`);
        names[`#r${i}`] = holdField(source);
      });
    }
    if (puts.length) {
      sets.push('apk = :apk', 'ask = :key');
      values[':apk'] = holdsShardPartition(shardOf(change.key));
      values[':key'] = change.key;
    }
    if (releaseLease) removals.push('leaseHolder', 'leaseExpiresAt');

    // Does the change lift every hold there is? Then the target leaves the `allHolds` index in the same write.
    let leaveIndex: { condition: string; values: Record<string, unknown> } | undefined;
    const read = this.leasedSources.get(change.key);
    if (change.removeAll && puts.length === 0) {
      removals.push('apk', 'ask');
    } else if (!change.removeAll && puts.length === 0 && read?.holder === holder && read.sources.size > 0) {
      const before = [...read.sources];
      if (sourcesAfter(read.sources, change).size === 0) {
        const exists = before.map((source) => {
          const i = removes.indexOf(source);
          return `attribute_exists(holds.#r${i})`;
        });
        leaveIndex = {
          condition: ` AND size(holds) = :count AND ${exists.join(' AND ')}`,
          values: { ':count': before.length },
        };
      }
    }
    if (sets.length === 0 && removals.length === 0) return;

    const write = (extra?: typeof leaveIndex) =>
      this.unlessConditionFails(
        this.update({
          TableName: this.tableName,
          Key: targetItemKey(change.key),
          UpdateExpression: [
            sets.length ? `SET ${sets.join(', ')}` : '',
            removals.length || extra ? `REMOVE ${[...removals, ...(extra ? ['apk', 'ask'] : [])].join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: `leaseHolder = :me${extra?.condition ?? ''}`,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ...values, ...extra?.values },
        }),
      );
    // A failed condition with the index part means: not our lease any more, or the holds changed meanwhile.
    // Written again without it, the change goes through in the second case and is left in the first (the port).
    const written = (leaveIndex !== undefined && (await write(leaveIndex))) || (await write());
    if (written && read?.holder === holder) read.sources = sourcesAfter(read.sources, change);
  }

  /** A conditional UpdateItem per target: a lease that is someone else's now (or none) is left as it is. */
  async releaseLeases(keys: readonly TargetKey[], holder: string): Promise<void> {
    await inParallel([...new Set(keys)], PARALLEL_REQUESTS, async (key) => {
      await this.unlessConditionFails(
        this.update({
          TableName: this.tableName,
          Key: targetItemKey(key),
          UpdateExpression: 'REMOVE leaseHolder, leaseExpiresAt',
          ConditionExpression: 'leaseHolder = :me',
          ExpressionAttributeValues: { ':me': holder },
        }),
      );
      if (this.leasedSources.get(key)?.holder === holder) this.leasedSources.delete(key);
    });
  }

  /**
   * A conditional Put when nobody has claimed it; else a conditional Update that takes over an unfinished claim
   * whose lease ran out (or renews this holder's own); else a consistent Get tells done from in progress. An
   * outcome item is a finished claim. A scope the version before this one claimed in (asked once per scope) has
   * its legacy claim read first.
   */
  async claim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult> {
    const legacy = await this.legacyClaim(scope, key, lease);
    if (legacy === 'done' || legacy === 'in-progress') return legacy;
    const result = await this.claimItem(scope, key, lease);
    return legacy === 'taken-over' && result === 'claimed' ? 'taken-over' : result;
  }

  private async claimItem(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult> {
    const Key = claimKey(scope, key);
    const now = this.now();
    const first = await this.unlessConditionFails(
      this.put({
        TableName: this.tableName,
        Item: {
          ...Key,
          kind: 'claim',
          holder: lease.holder,
          leaseExpiresAt: lease.expiresAt,
          claimedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + this.retentionSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    if (first) return 'claimed';

    let previousHolder: unknown;
    const takenOver = await this.unlessConditionFails(
      this.update({
        TableName: this.tableName,
        Key,
        UpdateExpression: 'SET holder = :me, leaseExpiresAt = :until',
        ConditionExpression: 'attribute_not_exists(done) AND (leaseExpiresAt <= :now OR holder = :me)',
        ExpressionAttributeValues: { ':me': lease.holder, ':until': lease.expiresAt, ':now': now.getTime() },
        ReturnValues: 'UPDATED_OLD',
      }).then((output) => {
        previousHolder = output.Attributes?.holder;
      }),
    );
    if (takenOver) return previousHolder === lease.holder ? 'claimed' : 'taken-over';

    const { Item } = await this.get({ TableName: this.tableName, Key, ConsistentRead: true });
    // Gone between the Put and now (only DynamoDB's TTL deletes claims, after the retention period): nobody
    // is on it, so the claim counts as done rather than letting a delivery act on a target long after.
    if (Item === undefined) return 'done';
    const claim = parseItem(claimItemSchema, Item, this.tableName);
    return claim.kind === 'outcome' || claim.done === true ? 'done' : 'in-progress';
  }

  /**
   * A claim the version before this one made (`CLAIM#<key>`): finished, or of the version before claim leases (no
   * holder), it reads as done; unfinished within its lease, in progress; run out, the new claim takes it over.
   */
  private async legacyClaim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult | undefined> {
    let hasLegacy = this.legacyClaimScopes.get(scope);
    if (!hasLegacy) {
      hasLegacy = this.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :claim)',
        ExpressionAttributeValues: { ':pk': commandPartition(scope), ':claim': 'CLAIM#' },
        ProjectionExpression: 'pk',
        Limit: 1,
      }).then((page) => (page.Items?.length ?? 0) > 0);
      this.legacyClaimScopes.set(scope, hasLegacy);
      hasLegacy.catch(() => this.legacyClaimScopes.delete(scope));
    }
    if (!(await hasLegacy)) return undefined;
    const { Item } = await this.get({ TableName: this.tableName, Key: legacyClaimKey(scope, key), ConsistentRead: true });
    if (Item === undefined) return undefined;
    const claim = parseItem(claimItemSchema, Item, this.tableName);
    if (claim.done === true || claim.holder === undefined) return 'done';
    if (claim.holder === lease.holder) return 'claimed';
    return (claim.leaseExpiresAt ?? 0) > this.now().getTime() ? 'in-progress' : 'taken-over';
  }

  /** Marks the claim done, keeping its TTL (and giving one to a claim never made, so it expires with the rest). */
  async finishClaim(scope: string, key: TargetKey): Promise<void> {
    await this.update({
      TableName: this.tableName,
      Key: claimKey(scope, key),
      UpdateExpression: 'SET done = :done, kind = if_not_exists(kind, :kind), expiresAt = if_not_exists(expiresAt, :ttl)',
      ExpressionAttributeValues: {
        ':done': true,
        ':kind': 'claim',
        ':ttl': Math.floor(this.now().getTime() / 1000) + this.retentionSeconds,
      },
    });
  }

  /**
   * BatchWriteItem Puts, 25 a request: each outcome item overwrites the claim of the same key (the command's own
   * scope), which finishes that claim. The latest outcome of a target in the list wins.
   */
  async recordOutcomes(commandId: string, outcomes: readonly TargetOutcome[]): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.retentionSeconds;
    const latest = new Map(outcomes.map((outcome) => [targetKey(outcome.target), outcome]));
    await this.batchWrite(
      [...latest].map(([key, outcome]) => ({
        PutRequest: {
          Item: {
            ...claimKey(commandId, key),
            gsi1pk: targetSortKey(key),
            gsi1sk: `${outcome.finishedAt}#${commandId}`,
            kind: 'outcome',
            commandId,
            outcome,
            done: true,
            expiresAt,
          },
        },
      })),
    );
  }

  async outcomesOf(commandId: string): Promise<TargetOutcome[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :target)',
      ExpressionAttributeValues: { ':pk': commandPartition(commandId), ':target': 'TARGET#' },
      ConsistentRead: true,
    });
    // A claim whose outcome is not recorded (yet) shares the key range: skipped.
    return items
      .filter((item) => item.kind !== 'claim')
      .map((item) => parseItem(outcomeItemSchema, item, this.tableName).outcome);
  }

  /** Every recorded outcome of one target, oldest first (the byCommand index: eventually consistent). */
  async historyOf(key: TargetKey): Promise<TargetHistoryEntry[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: LEDGER_TABLE.commandIndex.name,
      KeyConditionExpression: 'gsi1pk = :target',
      ExpressionAttributeValues: { ':target': targetSortKey(key) },
    });
    return items.map((item) => {
      const parsed = parseItem(outcomeItemSchema, item, this.tableName);
      return { commandId: parsed.commandId, outcome: parsed.outcome };
    });
  }

  async history(filter: HistoryFilter): Promise<HistoryEntry[]> {
    let entries: HistoryEntry[];
    if (filter.commandId !== undefined) {
      entries = (await this.outcomesOf(filter.commandId)).map((outcome) => ({ commandId: filter.commandId ?? '', outcome }));
    } else if (filter.targetKey !== undefined) {
      entries = await this.historyOf(filter.targetKey);
    } else {
      throw new ConfigError('history needs a command id or a target (provider/account/task): the table is never scanned');
    }
    return selectHistory(entries, filter);
  }

  async flush(): Promise<void> {}

  /**
   * Moves the holds the version before this one kept in pk `HOLDS` into their target items (a hold the target item
   * already has for that source is newer and kept), with their source-index entries, and deletes each legacy item
   * only after its hold is in place: a crash midway leaves holds in both places, never in neither. Returns how many
   * it moved. Runs by itself once per instance, before the first listing of holds.
   */
  async migrateLegacyHolds(): Promise<number> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': LEGACY_HOLDS_PARTITION },
      ConsistentRead: true,
    });
    const records = items.map((item) => ({ sk: item.sk, record: parseItem(legacyHoldItemSchema, item, this.tableName).record }));
    await this.writeIndexEntries(records.map((r) => r.record));
    await inParallel(records, PARALLEL_REQUESTS, async ({ sk, record }) => {
      await this.putHold(record, { onlyIfAbsent: true });
      await this.delete({ TableName: this.tableName, Key: { pk: LEGACY_HOLDS_PARTITION, sk } });
    });
    return records.length;
  }

  private readonly migrated = once(async () => {
    await this.migrateLegacyHolds();
  });

  /**
   * Sets one source's hold in the target item: into the `holds` map when there is one, else as a new map (a nested
   * path cannot be set where its map is missing, nor together with the map's creation). `onlyIfAbsent` keeps a
   * hold of that source already there.
   */
  private async putHold(record: PauseRecord, { onlyIfAbsent }: { onlyIfAbsent: boolean }): Promise<void> {
    const Key = targetItemKey(record.key);
    const common = {
      ':apk': holdsShardPartition(shardOf(record.key)),
      ':key': record.key,
      ':kind': 'target',
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      const intoMap = await this.unlessConditionFails(
        this.update({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET holds.#s = :hold, apk = :apk, ask = :key, tkey = :key, kind = :kind',
          ConditionExpression: `attribute_exists(holds)${onlyIfAbsent ? ' AND attribute_not_exists(holds.#s)' : ''}`,
          ExpressionAttributeNames: { '#s': holdField(record.source) },
          ExpressionAttributeValues: { ':hold': record, ...common },
        }),
      );
      if (intoMap) return;
      const newMap = await this.unlessConditionFails(
        this.update({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET holds = :holds, apk = :apk, ask = :key, tkey = :key, kind = :kind',
          ConditionExpression: 'attribute_not_exists(holds)',
          ExpressionAttributeValues: { ':holds': holdsMap([record]), ...common },
        }),
      );
      if (newMap) return;
      if (onlyIfAbsent) {
        const { Item } = await this.get({ TableName: this.tableName, Key, ConsistentRead: true });
        if (Item && this.holdsIn(Item).some((h) => h.source === record.source)) return;
      }
    }
    throw new Error(`ledger table ${this.tableName}: the hold on ${record.key} kept changing under the write`);
  }

  /** Takes a target whose holds are all lifted out of the `allHolds` index, if they still are. */
  private async leaveHoldsIndex(key: TargetKey): Promise<void> {
    await this.unlessConditionFails(
      this.update({
        TableName: this.tableName,
        Key: targetItemKey(key),
        UpdateExpression: 'REMOVE apk, ask',
        ConditionExpression: 'size(holds) = :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  }

  /** The source-index entries of holds about to be placed (unconditional; one per source and target). */
  private async writeIndexEntries(holds: readonly PauseRecord[]): Promise<void> {
    const entries = new Map(holds.map((h) => [`${h.source}\u0000${h.key}`, sourceIndexKey(h.source, h.key)]));
    await this.batchWrite([...entries.values()].map((Item) => ({ PutRequest: { Item: { ...Item, kind: 'source-index' } } })));
  }

  /** The holds a target item (or its `allHolds` projection) carries, read through the schema. */
  private holdsIn(item: Item): PauseRecord[] {
    const parsed = parseItem(targetHoldsSchema, item, this.tableName);
    return Object.values(parsed.holds ?? {});
  }

  /** BatchGetItem, 100 keys a request (16 requests at a time), consistent, unprocessed keys asked again. */
  private async batchGet(keys: readonly Item[]): Promise<Item[]> {
    const size = Math.min(BATCH_GET_MAX, this.pageSize ?? BATCH_GET_MAX);
    const pages = await inParallel(chunks(keys, size), PARALLEL_REQUESTS, async (chunk) => {
      const { sdk, client } = await this.documentsOf();
      const found: Item[] = [];
      let pending: Item[] = chunk;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt >= BATCH_ATTEMPTS) throw new Error(`ledger table ${this.tableName}: reads left unprocessed`);
        if (attempt > 0) await sleep(BATCH_BACKOFF_MS * 2 ** attempt);
        const output: BatchGetCommandOutput = await client.send(
          new sdk.BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(output.Responses?.[this.tableName] ?? []));
        pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
      return found;
    });
    return pages.flat();
  }

  /** BatchWriteItem, 25 writes a request (16 requests at a time), unprocessed items sent again. */
  private async batchWrite(requests: readonly Item[]): Promise<void> {
    await inParallel(chunks(requests, BATCH_WRITE_MAX), PARALLEL_REQUESTS, async (chunk) => {
      const { sdk, client } = await this.documentsOf();
      let pending: Item[] = chunk;
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt >= BATCH_ATTEMPTS) throw new Error(`ledger table ${this.tableName}: writes left unprocessed`);
        if (attempt > 0) await sleep(BATCH_BACKOFF_MS * 2 ** attempt);
        const output: BatchWriteCommandOutput = await client.send(
          new sdk.BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }),
        );
        pending = (output.UnprocessedItems?.[this.tableName] ?? []) as Item[];
      }
    });
  }

  /** A Query returns at most 1 MB (or pageSize items) a call; follow LastEvaluatedKey to the end. */
  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page: QueryCommandOutput = await this.query({ ...input, ExclusiveStartKey: startKey, Limit: this.pageSize });
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * The document client, made on the first call: the lib-dynamodb package is loaded then, not at cold start.
   * Optional fields of our records may be present-but-undefined; DynamoDB rejects undefined values.
   */
  private readonly documentsOf = once(async (): Promise<{ sdk: DocumentSdk; client: DynamoDBDocumentClient }> => {
    const sdk = await documentSdk();
    return { sdk, client: sdk.DynamoDBDocumentClient.from(this.client, { marshallOptions: { removeUndefinedValues: true } }) };
  });

  private async put(input: PutCommandInput): Promise<void> {
    const { sdk, client } = await this.documentsOf();
    await client.send(new sdk.PutCommand(input));
  }

  private async delete(input: DeleteCommandInput): Promise<void> {
    const { sdk, client } = await this.documentsOf();
    await client.send(new sdk.DeleteCommand(input));
  }

  private async update(input: UpdateCommandInput): Promise<UpdateCommandOutput> {
    const { sdk, client } = await this.documentsOf();
    return client.send(new sdk.UpdateCommand(input));
  }

  /** Whether a conditional write went through: false when its condition failed; other errors are thrown. */
  private async unlessConditionFails(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private async get(input: GetCommandInput): Promise<GetCommandOutput> {
    const { sdk, client } = await this.documentsOf();
    return client.send(new sdk.GetCommand(input));
  }

  private async query(input: QueryCommandInput): Promise<QueryCommandOutput> {
    const { sdk, client } = await this.documentsOf();
    return client.send(new sdk.QueryCommand(input));
  }
}

/** The sources of a target's holds after a change (applyHoldChange on sources alone). */
function sourcesAfter(sources: ReadonlySet<string>, change: HoldChange): Set<string> {
  const before = [...sources].map((source) => ({ source }) as PauseRecord);
  return new Set(applyHoldChange(before, change).map((h) => h.source));
}

/** A `holds` map of these holds (keys `s:<source>`), built so that no source can be a prototype accessor. */
function holdsMap(holds: readonly PauseRecord[]): Record<string, PauseRecord> {
  return Object.fromEntries(holds.map((h) => [holdField(h.source), h]));
}

/**
 * Pages from several paginators read side by side: each round asks every unfinished one for its next page at once
 * and hands on their items together (a round with no items is skipped).
 */
async function* roundsOf(pages: AsyncIterator<{ Items?: Item[] }>[]): AsyncGenerator<Item[]> {
  let active = pages;
  while (active.length) {
    const results = await Promise.all(active.map((p) => p.next()));
    active = active.filter((_, i) => !results[i]?.done);
    const items = results.flatMap((r) => (r.done ? [] : (r.value.Items ?? [])));
    if (items.length) yield items;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PHASES = ['running', 'pausing', 'paused', 'waiting', 'finished', 'failed', 'other'] as const satisfies readonly TaskPhase[];

const targetSchema = z.object({
  provider: z.enum(PROVIDER_KEYS),
  account: z.string(),
  taskId: z.string(),
  name: z.string(),
  stateBefore: z.string(),
  phaseBefore: z.enum(PHASES),
  resumeUnsupportedReason: z.optional(z.string()),
}) satisfies z.ZodMiniType<Target>;

const pauseRecordSchema = z.object({
  key: z.string(),
  target: targetSchema,
  source: z.string(),
  commandId: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
  sentBy: z.optional(z.string()),
  pausedAt: z.string(),
  until: z.optional(z.string()),
  // Absent in holds written before write-ahead holds: those read as held (see holdStatus).
  status: z.optional(z.enum(['pending', 'held'])),
}) satisfies z.ZodMiniType<PauseRecord>;

const outcomeSchema = z.object({
  target: targetSchema,
  outcome: z.enum(OUTCOMES),
  reason: z.optional(z.string()),
  errorClass: z.optional(z.enum(ERROR_CLASSES)),
  providerCode: z.optional(z.string()),
  attempts: z.number(),
  stateAfter: z.optional(z.string()),
  notApplied: z.optional(z.literal(true)),
  startedAt: z.string(),
  finishedAt: z.string(),
}) satisfies z.ZodMiniType<TargetOutcome>;

/** A hold as the version before this one kept it, in pk `HOLDS`. */
const legacyHoldItemSchema = z.object({ kind: z.literal('hold'), record: pauseRecordSchema });
/** A target item, or its projection on the `allHolds` index: the holds it carries. */
const targetHoldsSchema = z.object({ holds: z.optional(z.record(z.string(), pauseRecordSchema)) });
const outcomeItemSchema = z.object({ kind: z.literal('outcome'), commandId: z.string(), outcome: outcomeSchema });
/**
 * A claim, or the outcome that finished it; one written before claim leases has no holder and no lease (only
 * `claimedAt`).
 */
const claimItemSchema = z.object({
  kind: z.enum(['claim', 'outcome']),
  holder: z.optional(z.string()),
  leaseExpiresAt: z.optional(z.number()),
  done: z.optional(z.boolean()),
});

/** Items are read back through a schema: a table written by another version must fail loudly, not half-parse. */
function parseItem<T>(schema: z.ZodMiniType<T>, item: Record<string, unknown>, tableName: string): T {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    throw new ConfigError(
      `ledger table ${tableName} holds an item this version cannot read (pk ${String(item.pk)}, sk ${String(item.sk)})`,
    );
  }
  return parsed.data;
}

/** `run` over every item, at most `limit` at a time; the results in the items' order. */
async function inParallel<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
