import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Simulator } from '../../../sim';

/**
 * What Lambda's event source mapping does for one batch: receive, invoke the handler with the records, then
 * delete the records it did not report as batch item failures (those become visible again, to be retried).
 */
export async function deliver(
  sqs: SQSClient,
  queueUrl: string,
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
  context: Context,
): Promise<{ reply: SQSBatchResponse; records: SQSRecord[] }> {
  const received = await receiveAll(sqs, queueUrl);
  const records = received.map((m) => toRecord(m, queueUrl));
  const reply = await handler({ Records: records }, context);
  const failed = new Set(reply.batchItemFailures.map((f) => f.itemIdentifier));
  const done = received.filter((m) => !failed.has(m.MessageId ?? ''));
  for (let i = 0; i < done.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.slice(i, i + 10).map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return { reply, records };
}

/** Every message now visible on a queue (short polling, until a receive comes back empty). */
export async function receiveAll(sqs: SQSClient, queueUrl: string, visibilityTimeout = 30): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: visibilityTimeout,
      }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
  }
}

/** The bodies on a queue, parsed, leaving the messages hidden for a while (read them once per test). */
export async function bodiesOn(sqs: SQSClient, queueUrl: string): Promise<unknown[]> {
  return (await receiveAll(sqs, queueUrl)).map((m) => JSON.parse(m.Body ?? 'null') as unknown);
}

function toRecord(message: Message, queueUrl: string): SQSRecord {
  const queue = queueUrl.split('/').pop() ?? 'queue';
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: message.Attributes?.SenderId ?? 'AIDAFAKESENDER0001',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:ap-northeast-2:000000000000:${queue}`,
    awsRegion: 'ap-northeast-2',
  };
}

/**
 * Writes the simulator's accounts file where MP_ACCOUNTS_FILE can point, with fast confirmation polling.
 * `secretRef` rewrites each account's secret reference (e.g. to a Secrets Manager name).
 */
export async function writeAccountsFile(
  sim: Simulator,
  secretRef?: (account: string) => string,
): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mp-functions-'));
  const file = sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 3_000 } });
  if (secretRef) for (const account of file.accounts) account.secret = secretRef(String(account.name));
  const path = join(dir, 'accounts.json');
  await writeFile(path, JSON.stringify(file), 'utf8');
  return { dir, path };
}
