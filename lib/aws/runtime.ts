import { isAbsolute, join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { type AccountsFile, loadAccountsFile } from '../config';
import { ConfigError, SecretError } from '../core/errors';
import type { EventPublisher } from '../core/events';
import type { FailureSink } from '../core/failures';
import type { Ledger } from '../core/ledger';
import type { RunDeps } from '../core/run';
import type { SecretSource } from '../core/secrets';
import { AccountSessions, type AdapterRegistry, type SessionOptions } from '../core/sessions';
import type { WorkQueue } from '../core/work';
import { runnersFor } from '../http/rate-share';
import { FileFailureSink } from '../local/failures';
import { FileLedger } from '../local/ledger-file';
import { lazyLedger } from '../local/ledger-lazy';
import { createLocalSecretSource } from '../local/secrets';
import { adapters as defaultAdapters } from '../providers/registry';
import { PROVIDER_KEYS, type ProviderKey } from '../providers/types';
import { dynamoDbClient, eventBridgeClient, secretsManagerClient, sqsClient } from './clients';
import { createSecretSource, createSecretsManagerSource } from './secrets-manager';
import '../core/zod-messages';

export type RuntimeEnv = Readonly<Record<string, string | undefined>>;

/** Everything a function needs, built once per container from its environment. */
export interface AwsRuntime {
  accounts: AccountsFile;
  secrets: SecretSource;
  ledger: Ledger;
  failures: FailureSink;
  /** Absent when MP_WORK_QUEUE_URLS is unset (invoke local): everything then runs in-process. */
  workQueue?: WorkQueue;
  /** Where redrive publishes re-planned commands (MP_COMMANDS_QUEUE_URL). */
  commandsQueueUrl?: string;
  /** The failures queue redrive reads (MP_FAILURES_QUEUE_URL). */
  failuresQueueUrl?: string;
  /** The stage's event bus (MP_EVENT_BUS_NAME); absent when the stage publishes no events. */
  events?: EventPublisher;
  /** Incident: most acting targets executed in-process (MP_INPROCESS_LIMIT, default 200). */
  inProcessLimit: number;
  /** The SQS client, made (and its SDK loaded) on first use; only when a queue is configured (a ConfigError otherwise). */
  sqs(): Promise<SQSClient>;
  /**
   * RunDeps for one invocation. Sessions are fresh each time: a session refreshes its secret at most once,
   * which must hold per invocation, not for the container's whole life.
   */
  runDeps(overrides?: Partial<RunDeps>): RunDeps;
}

export interface AwsRuntimeOptions {
  env?: RuntimeEnv;
  /** Injected SDK clients (tests); by default the shared per-container clients, created on first use. */
  clients?: {
    sqs?: SQSClient;
    secretsManager?: SecretsManagerClient;
    dynamoDb?: DynamoDBClient;
    eventBridge?: EventBridgeClient;
  };
  adapters?: AdapterRegistry;
  sessionOptions?: SessionOptions;
  /** Where the on-disk ledger and failures file go when no table or queue is configured (default /tmp/migration-pauser). */
  stateDir?: string;
}

const DEFAULT_INPROCESS_LIMIT = 200;
const DEFAULT_SECRETS_PREFIX = 'migration-pauser/';

const workQueueUrlsSchema = z.partialRecord(z.enum(PROVIDER_KEYS), z.url());

/**
 * Builds the runtime from the environment variables serverless.yml sets (see docs/.aws-brief.md). Each AWS port
 * (ledger, failures queue, work queues) is loaded here, on the first invocation, and only when its variable is set —
 * never at module load, which keeps cold starts short. The SDK packages wait longer still: DynamoDB's is loaded here
 * when a ledger table is configured (every invocation uses the ledger), SQS's on the first message sent (a chunk with
 * no failure and no hand-off never loads it), Secrets Manager's on the first `aws:` secret read.
 */
export async function createAwsRuntime(options: AwsRuntimeOptions = {}): Promise<AwsRuntime> {
  const env = options.env ?? process.env;
  const clients = options.clients ?? {};
  const stateDir = options.stateDir ?? env.MP_STATE_DIR ?? '/tmp/migration-pauser';

  const accounts = await loadAccountsFile(accountsPath(env));
  const queueUrls = parseWorkQueueUrls(env.MP_WORK_QUEUE_URLS);
  const concurrency = parseWorkerConcurrency(env.MP_WORKER_CONCURRENCY);
  const usesSqs = Boolean(env.MP_FAILURES_QUEUE_URL || queueUrls || env.MP_COMMANDS_QUEUE_URL);
  const sqs = async (): Promise<SQSClient> => {
    if (clients.sqs) return clients.sqs;
    if (!usesSqs) throw new ConfigError('no SQS queue is configured (MP_FAILURES_QUEUE_URL, MP_WORK_QUEUE_URLS)');
    return sqsClient();
  };
  const secrets = restrictToPrefix(
    createSecretSource({
      local: createLocalSecretSource({ env: { ...env } }),
      aws: createSecretsManagerSource({ client: clients.secretsManager ?? secretsManagerClient }),
    }),
    env.MP_SECRETS_PREFIX ?? DEFAULT_SECRETS_PREFIX,
  );
  const ledger: Ledger = env.MP_LEDGER_TABLE
    ? new (await import('./ledger-dynamodb')).DynamoDbLedger({
        client: clients.dynamoDb ?? (await dynamoDbClient()),
        tableName: env.MP_LEDGER_TABLE,
        retentionDays: retentionDays(env.MP_LEDGER_RETENTION_DAYS),
      })
    : lazyLedger(() => FileLedger.open(join(stateDir, 'ledger.json')));
  const failures: FailureSink = env.MP_FAILURES_QUEUE_URL
    ? new (await import('./failures-sqs')).SqsFailureSink(sqs, env.MP_FAILURES_QUEUE_URL)
    : new FileFailureSink(join(stateDir, 'failures.jsonl'));
  const workQueue = queueUrls ? new (await import('./work-queue-sqs')).SqsWorkQueue(sqs, queueUrls) : undefined;
  // Its SDK loads on the first publish, not here.
  const events = env.MP_EVENT_BUS_NAME
    ? new (await import('./events-eventbridge')).EventBridgePublisher(
        clients.eventBridge ?? eventBridgeClient,
        env.MP_EVENT_BUS_NAME,
      )
    : undefined;
  const registry = options.adapters ?? defaultAdapters;
  // Every process that may call an account at the same time takes only its share of the account's rate limit.
  const sessionOptions: SessionOptions = { runners: runnersOf(concurrency), ...options.sessionOptions };

  return {
    accounts,
    secrets,
    ledger,
    failures,
    workQueue,
    ...(events ? { events } : {}),
    commandsQueueUrl: env.MP_COMMANDS_QUEUE_URL || undefined,
    failuresQueueUrl: env.MP_FAILURES_QUEUE_URL || undefined,
    inProcessLimit: parseLimit(env.MP_INPROCESS_LIMIT),
    sqs,
    runDeps: (overrides = {}) => ({
      sessions: new AccountSessions(accounts.accounts, registry, secrets, sessionOptions),
      ledger,
      failures,
      workQueue,
      ...overrides,
    }),
  };
}

let memo: Promise<AwsRuntime> | undefined;

/** The runtime of this container: built on the first invocation, reused by the next (a failed build is retried). */
export function loadAwsRuntime(env: RuntimeEnv = process.env): Promise<AwsRuntime> {
  if (!memo) {
    const building = createAwsRuntime({ env });
    memo = building;
    building.catch(() => {
      if (memo === building) memo = undefined;
    });
  }
  return memo;
}

function accountsPath(env: RuntimeEnv): string {
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const file = env.MP_ACCOUNTS_FILE ?? 'accounts.json';
  return isAbsolute(file) ? file : join(root, file);
}

function parseWorkQueueUrls(text: string | undefined): Partial<Record<(typeof PROVIDER_KEYS)[number], string>> | undefined {
  if (!text) return undefined;
  return parseJsonEnv(text, workQueueUrlsSchema, {
    name: 'MP_WORK_QUEUE_URLS',
    expected: '{"<provider>": "<queue url>"}',
    meaning: 'map provider keys to queue URLs',
  });
}

/** An environment variable holding JSON of a known shape; a ConfigError says which variable and what it needs. */
function parseJsonEnv<S extends z.ZodMiniType>(
  text: string,
  schema: S,
  describe: { name: string; expected: string; meaning: string },
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${describe.name} is not valid JSON (expected ${describe.expected})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${describe.name} must ${describe.meaning}`);
  return parsed.data;
}

const workerConcurrencySchema = z.partialRecord(z.enum(PROVIDER_KEYS), z.int().check(z.gte(1), z.lte(1_000)));

/**
 * MP_WORKER_CONCURRENCY: `{"<provider>": <maximumConcurrency of its work queue>}`, set by serverless.yml from the
 * same parameters as the event sources. Unset (the CLI, invoke local): nothing else calls the accounts.
 */
export function parseWorkerConcurrency(text: string | undefined): Partial<Record<ProviderKey, number>> {
  if (!text) return {};
  return parseJsonEnv(text, workerConcurrencySchema, {
    name: 'MP_WORKER_CONCURRENCY',
    expected: '{"<provider>": <workers>}',
    meaning: 'map provider keys to whole numbers of workers',
  });
}

/**
 * How many processes share each provider's accounts: its workers plus one in-process runner (lib/http/rate-share.ts).
 * A provider without workers on this stage keeps the whole rate.
 */
function runnersOf(concurrency: Partial<Record<ProviderKey, number>>): Partial<Record<ProviderKey, number>> {
  const runners: Partial<Record<ProviderKey, number>> = {};
  for (const key of PROVIDER_KEYS) runners[key] = runnersFor(concurrency[key]);
  return runners;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_INPROCESS_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0) throw new ConfigError(`MP_INPROCESS_LIMIT must be a whole number ≥ 0, got ${text}`);
  return limit;
}

/**
 * IAM already limits the functions to secrets under the prefix; checking here too turns a confusing
 * AccessDenied into an error that names the account's reference and the prefix.
 */
function restrictToPrefix(source: SecretSource, prefix: string): SecretSource {
  const allowed = (ref: string): boolean => {
    if (ref.startsWith('aws:')) return ref.slice(4).startsWith(prefix);
    if (ref.startsWith('arn:')) return (ref.split(':secret:')[1] ?? '').startsWith(prefix);
    return true;
  };
  return {
    async get(ref) {
      if (!allowed(ref)) throw new SecretError(`secret ${ref} is outside the readable prefix ${prefix}`, ref);
      return source.get(ref);
    },
    invalidate: (ref) => source.invalidate(ref),
  };
}

/** MP_LEDGER_RETENTION_DAYS: whole days of outcome history to keep (default 90). */
function retentionDays(value: string | undefined): number {
  if (value === undefined || value === '') return 90;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1)
    throw new ConfigError(`MP_LEDGER_RETENTION_DAYS must be a whole number of days, not ${value}`);
  return days;
}
