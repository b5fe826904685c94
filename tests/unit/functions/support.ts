import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Observability } from '../../../lib/aws/middleware';
import type { AwsRuntime } from '../../../lib/aws/runtime';
import type { AccountsFile } from '../../../lib/config';
import type { FailureSink } from '../../../lib/core/failures';
import type { Ledger } from '../../../lib/core/ledger';
import type { RunDeps } from '../../../lib/core/run';
import { AccountSessions, type AdapterRegistry } from '../../../lib/core/sessions';
import type { WorkQueue } from '../../../lib/core/work';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { MemoryLedger } from '../../../lib/local/ledger-memory';
import { createLocalSecretSource } from '../../../lib/local/secrets';
import { adapters } from '../../../lib/providers/registry';

/** A logger and metrics object that write nothing (tests assert on behaviour, not on log lines). */
export function quietObservability(): Observability {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const logger = new Logger({ logLevel: 'SILENT' });
  return { logger, metrics: new Metrics({ namespace: 'MigrationPauserTests', logger }) };
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'migration-pauser-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:000000000000:function:migration-pauser-test',
  memoryLimitInMB: '1024',
  awsRequestId: '00000000-0000-4000-8000-00000000c0de',
  logGroupName: '/aws/lambda/migration-pauser-test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export { MemoryWorkQueue } from '../../../lib/local/work-queue-memory';

export interface FakeRuntimeOptions {
  accounts?: AccountsFile['accounts'];
  env?: Record<string, string>;
  ledger?: Ledger;
  failures?: FailureSink;
  workQueue?: WorkQueue;
  inProcessLimit?: number;
  registry?: AdapterRegistry;
}

/** An AwsRuntime made of in-memory parts: what a handler sees, without any AWS. */
export function fakeRuntime(options: FakeRuntimeOptions = {}): AwsRuntime & { ledger: Ledger; failures: FailureSink } {
  const accounts = { accounts: options.accounts ?? [] } as AccountsFile;
  const secrets = createLocalSecretSource({ env: options.env ?? {} });
  const ledger = options.ledger ?? new MemoryLedger();
  const failures = options.failures ?? new MemoryFailureSink();
  return {
    accounts,
    secrets,
    ledger,
    failures,
    workQueue: options.workQueue,
    inProcessLimit: options.inProcessLimit ?? 200,
    sqs: async () => {
      throw new Error('this test has no SQS');
    },
    runDeps: (overrides: Partial<RunDeps> = {}): RunDeps => ({
      sessions: new AccountSessions(accounts.accounts, options.registry ?? adapters, secrets, {
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      }),
      ledger,
      failures,
      workQueue: options.workQueue,
      ...overrides,
    }),
  };
}

/** An SQS event as Lambda's event source mapping delivers it, one record per body. */
export function sqsEvent(bodies: readonly string[], queue = 'migration-pauser-test-commands'): SQSEvent {
  return { Records: bodies.map((body, i) => sqsRecord(body, `msg-${i + 1}`, queue)) };
}

export function sqsRecord(body: string, messageId: string, queue = 'migration-pauser-test-commands'): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1764288000000',
      SenderId: 'AIDAFAKESENDER0001',
      ApproximateFirstReceiveTimestamp: '1764288000001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:ap-northeast-2:000000000000:${queue}`,
    awsRegion: 'ap-northeast-2',
  };
}
