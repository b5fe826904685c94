import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { MigrationPauserError } from '../core/errors';
import { type ClientSource, resolveClient, sqsSdk } from './clients';

/** SQS limits: ten entries and 256 KiB (all bodies and attributes together) per SendMessageBatch. */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;

export interface OutgoingMessage {
  body: string;
  attributes?: Record<string, string | undefined>;
}

export class SqsSendError extends MigrationPauserError {
  override name = 'SqsSendError';
  constructor(
    readonly queueUrl: string,
    readonly unsent: number,
    readonly codes: string[],
  ) {
    super(`${unsent} message(s) could not be sent to ${queueUrl} (${[...new Set(codes)].join(', ') || 'unknown error'})`);
  }
}

/**
 * Sends messages with as few SendMessageBatch calls as the limits allow; entries SQS reports as failed are
 * sent once more, and whatever still fails is thrown, never dropped.
 */
export async function sendInBatches(
  source: ClientSource<SQSClient>,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
): Promise<number> {
  let calls = 0;
  if (messages.length === 0) return calls;
  const { SendMessageBatchCommand } = await sqsSdk();
  const client = await resolveClient(source);
  for (const batch of packBatches(messages)) {
    let pending = batch;
    let codes: string[] = [];
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      calls++;
      const result = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map((m, i) => ({ Id: String(i), MessageBody: m.body, MessageAttributes: toAttributes(m.attributes) })),
        }),
      );
      const failed = new Set((result.Failed ?? []).map((f) => Number(f.Id)));
      codes = (result.Failed ?? []).map((f) => f.Code ?? 'unknown');
      pending = pending.filter((_, i) => failed.has(i));
    }
    if (pending.length > 0) throw new SqsSendError(queueUrl, pending.length, codes);
  }
  return calls;
}

export function packBatches(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message);
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export function sizeOf(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.body);
  for (const [key, value] of Object.entries(message.attributes ?? {})) {
    if (value !== undefined) size += Buffer.byteLength(key) + Buffer.byteLength(value) + 'String'.length;
  }
  return size;
}

function toAttributes(attributes: OutgoingMessage['attributes']): Record<string, MessageAttributeValue> | undefined {
  const entries = Object.entries(attributes ?? {}).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) : undefined;
}
