/**
 * One P5 measurement in a fresh process (so peak RSS is this row's alone): the window resume of N held targets over
 * 4 providers × 2 accounts on one ledger (memory, file, or a DynamoDB-protocol server on 127.0.0.1 whose endpoint
 * the parent passes). The holds are seeded first (not measured). Then the resume is planned and dispatched to an
 * in-memory work queue (planSeconds), and every work message is executed by runWorkMessage against fake adapters
 * (no HTTP: the ledger is what is measured). Ledger requests are counted where the server receives them (DynamoDB)
 * or as calls on the port (memory, file); items read are the records the ledger hands back.
 *
 *   node --import tsx bench/p5-child.ts <targets> <memory|file|dynamodb> [endpoint]   (the bench runs it bundled)
 */
import { appendFileSync, createReadStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerTableInput, DynamoDbLedger } from '../lib/aws/ledger-dynamodb';
import { parseCommand } from '../lib/core/command';
import { holdFor } from '../lib/core/holds';
import type { Ledger } from '../lib/core/ledger';
import { targetOf } from '../lib/core/plan';
import { dispatchCommand, runWorkMessage } from '../lib/core/run';
import { AccountSessions, type AdapterRegistry } from '../lib/core/sessions';
import type { WorkMessage, WorkQueue } from '../lib/core/work';
import { MemoryFailureSink } from '../lib/local/failures';
import { FileLedger } from '../lib/local/ledger-file';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { adapters as real } from '../lib/providers/registry';
import { PROVIDER_KEYS, type ProviderAdapter, type ProviderKey, type ProviderTask } from '../lib/providers/types';
import { fakeAccounts, noSecrets } from './fake-fleet';

const total = Number(process.argv[2] ?? '1000');
const kind = (process.argv[3] ?? 'memory') as 'memory' | 'file' | 'dynamodb';
const endpoint = process.argv[4];
const SOURCE = 'window:bench';
const perAccount = Math.ceil(total / (PROVIDER_KEYS.length * 2));

/** The provider side, in memory: every task starts paused; a resume runs it. */
const phases = new Map<string, ProviderTask['phase']>();
function taskOf(key: ProviderKey, account: string, i: number): ProviderTask {
  const taskId = `${account}-task-${String(i).padStart(7, '0')}`;
  const phase = phases.get(`${account}/${taskId}`) ?? 'paused';
  return { provider: key, account, taskId, name: `migration-${i}`, state: phase.toUpperCase(), phase };
}
function fakeAdapter(key: ProviderKey): ProviderAdapter {
  return {
    key,
    capabilities: real[key].capabilities,
    open: ({ account }) => ({
      list: async () => Array.from({ length: perAccount }, (_, i) => taskOf(key, account.name, i)),
      get: async (ids) => new Map(ids.map((id) => [id, taskOf(key, account.name, Number(id.slice(-7)))])),
      pause: async (tasks) => tasks.map((t) => ({ taskId: t.taskId, ok: true as const })),
      resume: async (tasks) =>
        tasks.map((t) => {
          phases.set(`${account.name}/${t.taskId}`, 'running');
          return { taskId: t.taskId, ok: true as const };
        }),
    }),
  };
}

const registry = Object.fromEntries(PROVIDER_KEYS.map((k) => [k, fakeAdapter(k)])) as AdapterRegistry;
const accounts = fakeAccounts('p5');
const secrets = noSecrets;

/** Requests the ledger's server received (DynamoDB) or port calls (memory, file), and records handed back. */
const counts = { requests: 0, itemsRead: 0 };
let dynamo: DynamoDBClient | undefined;

async function openLedger(): Promise<Ledger> {
  if (kind === 'memory') return new MemoryLedger();
  if (kind === 'file') return FileLedger.open(join(mkdtempSync(join(tmpdir(), 'mp-p5-')), 'ledger.json'));
  if (!endpoint) throw new Error('the dynamodb row needs the endpoint of a DynamoDB-protocol server');
  dynamo = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
  });
  const tableName = `p5-${total}-${process.pid}`;
  await dynamo.send(new CreateTableCommand(createLedgerTableInput(tableName)));
  for (let i = 0; i < 400; i++) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  dynamo.middlewareStack.add(
    (next) => async (args) => {
      counts.requests += 1;
      const result = await next(args);
      const out = (result.output ?? {}) as {
        Items?: unknown[];
        Item?: unknown;
        Attributes?: unknown;
        Responses?: Record<string, unknown[]>;
      };
      counts.itemsRead +=
        (out.Items?.length ?? 0) +
        (out.Item ? 1 : 0) +
        (out.Attributes ? 1 : 0) +
        Object.values(out.Responses ?? {}).reduce((n, list) => n + list.length, 0);
      return result;
    },
    { step: 'initialize', name: 'p5-counter' },
  );
  return new DynamoDbLedger({ client: dynamo, tableName });
}

/** Memory and file: every call on the port is one request; every record it returns, one item read. */
function counted(ledger: Ledger): Ledger {
  const itemsOf = (value: unknown): number =>
    value instanceof Map
      ? [...value.values()].reduce((n: number, v) => n + itemsOf(v), 0)
      : Array.isArray(value)
        ? value.length
        : 0;
  return new Proxy(ledger, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'flush') return value;
      return (...args: unknown[]) => {
        counts.requests += 1;
        const result = value.apply(target, args);
        if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
          return (async function* () {
            for await (const page of result as AsyncIterable<unknown[]>) {
              counts.itemsRead += page.length;
              yield page;
            }
          })();
        }
        return Promise.resolve(result).then((resolved) => {
          counts.itemsRead += itemsOf(resolved);
          return resolved;
        });
      };
    },
  });
}

const base = await openLedger();
// Seed: the window's holds on every task (not measured).
const pause = parseCommand({
  action: 'pause',
  scope: { all: true },
  reason: 'benchmark P5 seed',
  requestedBy: 'bench',
  source: SOURCE,
});
const seed: Promise<void>[] = [];
for (const account of accounts.accounts) {
  for (let i = 0; i < perAccount; i++) {
    seed.push(
      base.recordPause(holdFor(pause, targetOf(taskOf(account.provider, account.name, i)), 'held', new Date().toISOString())),
    );
    if (seed.length >= 64) await Promise.all(seed.splice(0));
  }
}
await Promise.all(seed);
await base.flush();

const trace = (stage: string) => {
  if (process.env.P5_TRACE) {
    const { rss, heapUsed } = process.memoryUsage();
    process.stderr.write(`${stage}: rss ${Math.round(rss / 2 ** 20)} MB, heap ${Math.round(heapUsed / 2 ** 20)} MB\n`);
  }
};
trace('seeded');
const ledger = kind === 'dynamodb' ? base : counted(base);
counts.requests = 0;
counts.itemsRead = 0;
// The work queues are SQS, not this process: messages go to a file as the bodies SQS would hold, read back one by one.
const queueFile = join(mkdtempSync(join(tmpdir(), 'mp-p5-queue-')), 'messages.jsonl');
let messageCount = 0;
let largestMessage = 0;
const queue: WorkQueue = {
  async send(_provider, batch) {
    appendFileSync(queueFile, batch.map((m) => `${JSON.stringify(m)}\n`).join(''));
    messageCount += batch.length;
    largestMessage = Math.max(largestMessage, ...batch.map((m) => m.items.length));
  },
};
const resume = parseCommand({
  action: 'resume',
  scope: { all: true },
  reason: 'benchmark P5',
  requestedBy: 'bench',
  source: SOURCE,
});
const failures = new MemoryFailureSink();
const sessions = () => new AccountSessions(accounts.accounts, registry, secrets);
const planStarted = performance.now();
const targets = (await dispatchCommand(resume, { sessions: sessions(), ledger, failures, workQueue: queue })).summary.targets;
const planSeconds = (performance.now() - planStarted) / 1000;
trace('planned');
const planRequests = counts.requests;

const perMessage: number[] = [];
let resumed = 0;
const executeStarted = performance.now();
const noSleep = async () => {};
// One message at a time, as one worker would take them: the items each one reads are its own.
for await (const line of createInterface({ input: createReadStream(queueFile) })) {
  const message = JSON.parse(line) as WorkMessage;
  const before = counts.itemsRead;
  const result = await runWorkMessage(message, { sessions: sessions(), ledger, failures, sleep: noSleep });
  perMessage.push(counts.itemsRead - before);
  resumed += result.outcomes.filter((o) => o.outcome === 'resumed').length;
}
const executeSeconds = (performance.now() - executeStarted) / 1000;
trace('executed');
perMessage.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    ledger: kind,
    targets,
    resumed,
    messages: messageCount,
    largestMessage,
    planSeconds,
    executeSeconds,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    ledgerItemsReadPerWorkMessage: { median: perMessage[Math.floor(perMessage.length / 2)] ?? 0, max: perMessage.at(-1) ?? 0 },
    ledgerRequestsPerTarget: counts.requests / Math.max(1, targets),
    planRequests,
    failed: failures.messages.length,
  })}\n`,
);
if (base instanceof FileLedger) await base.close();
dynamo?.destroy();
