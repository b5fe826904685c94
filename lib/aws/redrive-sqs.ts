import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { planRedrive, type RedriveReport, type RedriveRequest, reportRedrive } from '../core/redrive';
import { sqsSdk } from './clients';
import { MAX_BATCH_ENTRIES, sendInBatches } from './sqs-batch';

export interface RedriveQueues {
  sqs: SQSClient;
  failuresQueueUrl: string;
  commandsQueueUrl: string;
  /** How long received failures stay hidden while we decide (default 120 s; released early when kept). */
  visibilityTimeoutSeconds?: number;
  /** Long polling asks every SQS server, so a short queue is not missed by sampling (default 1 s). */
  waitTimeSeconds?: number;
}

/** Failure messages looked at, replaced by a published command (or that would be, on a dry run), and left. */
export type RedriveResult = RedriveReport;

const SQS_BATCH = MAX_BATCH_ENTRIES;

/**
 * Moves target failures back as new commands: receives up to `max` failure messages, groups the matching
 * ones (lib/core/redrive.ts), publishes the commands to the commands queue, deletes the failures they replace
 * and releases every other message at once (visibility 0). A dry run publishes and deletes nothing.
 */
export async function redriveFailures(queues: RedriveQueues, request: RedriveRequest): Promise<RedriveResult> {
  const received = await receiveUpTo(queues, request.max);
  const plan = planRedrive(received, request);
  const { moving, ...summary } = reportRedrive(plan, received.length, request.dryRun);
  if (request.dryRun || moving.size === 0) {
    await releaseMessages(
      queues,
      received.map((m) => m.receiptHandle),
    );
    return summary;
  }
  try {
    // All or nothing: sendInBatches throws if any command could not be published, and then nothing is deleted
    // (a retry republishes the same command ids, so a partial publish is not a second command).
    await sendInBatches(
      queues.sqs,
      queues.commandsQueueUrl,
      plan.commands.map(({ command }) => ({ body: JSON.stringify(command), attributes: { commandId: command.commandId } })),
    );
  } catch (error) {
    await releaseMessages(
      queues,
      received.map((m) => m.receiptHandle),
    );
    throw error;
  }
  await deleteMessages(
    queues,
    received.filter((m) => moving.has(m.id)).map((m) => m.receiptHandle),
  );
  await releaseMessages(
    queues,
    received.filter((m) => !moving.has(m.id)).map((m) => m.receiptHandle),
  );
  return summary;
}

async function receiveUpTo(queues: RedriveQueues, max: number): Promise<{ id: string; body: string; receiptHandle: string }[]> {
  const seen = new Map<string, { id: string; body: string; receiptHandle: string }>();
  const { ReceiveMessageCommand } = await sqsSdk();
  while (seen.size < max) {
    const reply = await queues.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.failuresQueueUrl,
        MaxNumberOfMessages: Math.min(SQS_BATCH, max - seen.size),
        VisibilityTimeout: queues.visibilityTimeoutSeconds ?? 120,
        WaitTimeSeconds: queues.waitTimeSeconds ?? 1,
      }),
    );
    const messages = (reply.Messages ?? []).filter(isComplete);
    if (messages.length === 0) break;
    for (const m of messages) seen.set(m.MessageId, { id: m.MessageId, body: m.Body ?? '', receiptHandle: m.ReceiptHandle });
  }
  return [...seen.values()];
}

function isComplete(m: Message): m is Message & { MessageId: string; ReceiptHandle: string } {
  return typeof m.MessageId === 'string' && typeof m.ReceiptHandle === 'string';
}

async function deleteMessages(queues: RedriveQueues, receiptHandles: readonly string[]): Promise<void> {
  const { DeleteMessageBatchCommand } = await sqsSdk();
  for (let i = 0; i < receiptHandles.length; i += SQS_BATCH) {
    await queues.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queues.failuresQueueUrl,
        Entries: receiptHandles.slice(i, i + SQS_BATCH).map((handle, n) => ({ Id: String(n), ReceiptHandle: handle })),
      }),
    );
  }
}

/** Makes kept messages visible again now rather than after the visibility timeout. */
async function releaseMessages(queues: RedriveQueues, receiptHandles: readonly string[]): Promise<void> {
  const { ChangeMessageVisibilityBatchCommand } = await sqsSdk();
  for (let i = 0; i < receiptHandles.length; i += SQS_BATCH) {
    await queues.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queues.failuresQueueUrl,
        Entries: receiptHandles
          .slice(i, i + SQS_BATCH)
          .map((handle, n) => ({ Id: String(n), ReceiptHandle: handle, VisibilityTimeout: 0 })),
      }),
    );
  }
}
