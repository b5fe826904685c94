import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
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
  type ClaimResult,
  type HistoryEntry,
  type HistoryFilter,
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
 * The ledger table's key design, shared with serverless.yml and the tests. One table holds four kinds of item:
 * - hold:    pk `HOLDS`, sk `<targetKey>#<source>` — one partition, so pausedByUs() is a consistent Query, never a
 *   Scan; holdsOf() queries the `<targetKey>#` prefix of each target;
 * - outcome: pk `CMD#<commandId>`, sk `TARGET#<targetKey>` (outcomesOf is a Query), and on the byCommand index
 *   gsi1pk `TARGET#<targetKey>`, gsi1sk `<finishedAt>#<commandId>` (the history of a target, oldest first),
 *   expiring through the TTL attribute `expiresAt` (epoch seconds) after the retention period;
 * - claim:   pk `CMD#<scope>`, sk `CLAIM#<targetKey>`: `holder`, `leaseExpiresAt` (epoch ms), `done`; expiring with
 *   the outcomes. An item of the version before claim leases carries only `claimedAt`: it reads as done;
 * - lease:   pk `T#<targetKey>`, sk `LEASE`: `holder`, `leaseExpiresAt` (epoch ms); TTL an hour after the lease ends.
 * A lease's end is `leaseExpiresAt` (ms), never `expiresAt`: that is the TTL attribute, in seconds.
 */
export const LEDGER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  commandIndex: { name: 'byCommand', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;

/** The table as CreateTable wants it (tests; serverless.yml mirrors it and adds TTL and point-in-time recovery). */
export function createLedgerTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, commandIndex } = LEDGER_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey, commandIndex.partitionKey, commandIndex.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
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
    ],
  };
}

export interface DynamoDbLedgerOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long outcome history is kept before DynamoDB's TTL removes it (default 90 days). Holds never expire. */
  retentionDays?: number;
  now?: () => Date;
  /** Items per Query page (default: DynamoDB's own 1 MB pages); small values let tests exercise paging. */
  pageSize?: number;
}

/** One entry of a target's history: an outcome and the command it belongs to. */
export interface TargetHistoryEntry {
  commandId: string;
  outcome: TargetOutcome;
}

const HOLDS_PARTITION = 'HOLDS';
const DEFAULT_RETENTION_DAYS = 90;
const SECONDS_PER_DAY = 86_400;

/** Reads and writes of many targets run this many at a time. */
const PARALLEL_REQUESTS = 16;
/** A lease item stays this long after its lease ends, then DynamoDB's TTL removes it. */
const LEASE_TTL_GRACE_SECONDS = 3_600;

const commandPartition = (commandId: string) => `CMD#${commandId}`;
const targetSortKey = (key: TargetKey) => `TARGET#${key}`;
const holdSortKey = (key: TargetKey, source: string) => `${key}#${source}`;
const claimKey = (scope: string, key: TargetKey) => ({ pk: commandPartition(scope), sk: `CLAIM#${key}` });
const leaseKey = (key: TargetKey) => ({ pk: `T#${key}`, sk: 'LEASE' });

/**
 * The AWS ledger. Every write is a single-item Put, Update or Delete (leases and claims conditional ones), each
 * durable on return, so flush() has nothing to do; no transactions, so it also runs against dynalite in tests. It
 * stores only what the Target, PauseRecord and TargetOutcome types carry — nothing secret. A lease or claim counts
 * as run out from the millisecond it ends (`<= now`), as in the memory ledger.
 */
export class DynamoDbLedger implements Ledger {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly now: () => Date;
  private readonly pageSize: number | undefined;

  constructor(options: DynamoDbLedgerOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * SECONDS_PER_DAY;
    this.now = options.now ?? (() => new Date());
    this.pageSize = options.pageSize;
  }

  /** Overwrites any earlier hold on the target: the latest pause is the one a resume reports. */
  async recordPause(record: PauseRecord): Promise<void> {
    await this.put({
      TableName: this.tableName,
      Item: { pk: HOLDS_PARTITION, sk: holdSortKey(record.key, record.source), kind: 'hold', record },
    });
  }

  async pausedByUs(): Promise<PauseRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': HOLDS_PARTITION },
      // A resume right after a pause must see its holds.
      ConsistentRead: true,
    });
    return items.map((item) => parseItem(holdItemSchema, item, this.tableName).record);
  }

  /** One consistent Query per target (its sort keys share the `<targetKey>#` prefix), some at a time. */
  async holdsOf(keys: readonly TargetKey[]): Promise<PauseRecord[]> {
    const perTarget = await inParallel([...new Set(keys)], PARALLEL_REQUESTS, (key) =>
      this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': HOLDS_PARTITION, ':prefix': `${key}#` },
        ConsistentRead: true,
      }),
    );
    return perTarget.flat().map((item) => parseItem(holdItemSchema, item, this.tableName).record);
  }

  /** A Delete of an absent item succeeds, so releasing twice (or a hold never placed) is not an error. */
  async release(key: TargetKey, source?: string): Promise<void> {
    if (source !== undefined) {
      await this.delete({ TableName: this.tableName, Key: { pk: HOLDS_PARTITION, sk: holdSortKey(key, source) } });
      return;
    }
    // Every source's hold on the target: their sort keys share the `<targetKey>#` prefix ('#' never occurs in a key).
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': HOLDS_PARTITION, ':prefix': `${key}#` },
      ConsistentRead: true,
    });
    for (const item of items) {
      await this.delete({ TableName: this.tableName, Key: { pk: HOLDS_PARTITION, sk: item.sk } });
    }
  }

  /** One conditional Put per target: taken when absent, expired, or this holder's own (then renewed). */
  async acquireLeases(keys: readonly TargetKey[], lease: Lease): Promise<Set<TargetKey>> {
    const unique = [...new Set(keys)];
    const taken = await inParallel(unique, PARALLEL_REQUESTS, (key) =>
      this.unlessConditionFails(
        this.put({
          TableName: this.tableName,
          Item: {
            ...leaseKey(key),
            kind: 'lease',
            holder: lease.holder,
            leaseExpiresAt: lease.expiresAt,
            expiresAt: Math.ceil(lease.expiresAt / 1000) + LEASE_TTL_GRACE_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseExpiresAt <= :now OR holder = :me',
          ExpressionAttributeValues: { ':now': this.now().getTime(), ':me': lease.holder },
        }),
      ),
    );
    return new Set(unique.filter((_, i) => taken[i]));
  }

  /** A conditional Delete per target: a lease that is someone else's now (or gone) is left as it is. */
  async releaseLeases(keys: readonly TargetKey[], holder: string): Promise<void> {
    await inParallel([...new Set(keys)], PARALLEL_REQUESTS, (key) =>
      this.unlessConditionFails(
        this.delete({
          TableName: this.tableName,
          Key: leaseKey(key),
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': holder },
        }),
      ),
    );
  }

  /**
   * A conditional Put when nobody has claimed it; else a conditional Update that takes over an unfinished claim
   * whose lease ran out (or renews this holder's own); else a consistent Get tells done from in progress.
   */
  async claim(scope: string, key: TargetKey, lease: Lease): Promise<ClaimResult> {
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
    // An item of the version before claim leases (no holder) was a claim whose outcome got recorded or handed on.
    return claim.done === true || claim.holder === undefined ? 'done' : 'in-progress';
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

  async recordOutcome(commandId: string, outcome: TargetOutcome): Promise<void> {
    const key = targetKey(outcome.target);
    await this.put({
      TableName: this.tableName,
      Item: {
        pk: commandPartition(commandId),
        sk: targetSortKey(key),
        gsi1pk: targetSortKey(key),
        gsi1sk: `${outcome.finishedAt}#${commandId}`,
        kind: 'outcome',
        commandId,
        outcome,
        expiresAt: Math.floor(this.now().getTime() / 1000) + this.retentionSeconds,
      },
    });
  }

  async outcomesOf(commandId: string): Promise<TargetOutcome[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :target)',
      ExpressionAttributeValues: { ':pk': commandPartition(commandId), ':target': 'TARGET#' },
      ConsistentRead: true,
    });
    return items.map((item) => parseItem(outcomeItemSchema, item, this.tableName).outcome);
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

  /** A Query returns at most 1 MB (or pageSize items) a call; follow LastEvaluatedKey to the end. */
  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
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

const PHASES = ['running', 'pausing', 'paused', 'waiting', 'finished', 'failed', 'other'] as const satisfies readonly TaskPhase[];

const targetSchema = z.object({
  provider: z.enum(PROVIDER_KEYS),
  account: z.string(),
  taskId: z.string(),
  name: z.string(),
  stateBefore: z.string(),
  phaseBefore: z.enum(PHASES),
}) satisfies z.ZodMiniType<Target>;

const pauseRecordSchema = z.object({
  key: z.string(),
  target: targetSchema,
  source: z.string(),
  commandId: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
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
  startedAt: z.string(),
  finishedAt: z.string(),
}) satisfies z.ZodMiniType<TargetOutcome>;

const holdItemSchema = z.object({ kind: z.literal('hold'), record: pauseRecordSchema });
const outcomeItemSchema = z.object({ kind: z.literal('outcome'), commandId: z.string(), outcome: outcomeSchema });
/** A claim; one written before claim leases has no holder and no lease (only `claimedAt`). */
const claimItemSchema = z.object({
  kind: z.literal('claim'),
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
