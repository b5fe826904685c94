import type { AddressInfo } from 'node:net';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';

export interface QueueSpec {
  name: string;
  dlq?: { name: string; maxReceiveCount: number };
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  queueUrl(name: string): string;
  /** Receives until the queue is empty, deleting what it received. */
  receiveAll(url: string, options?: { max?: number }): Promise<Message[]>;
  close(): Promise<void>;
}

/** A real SQS-protocol server (local-aws-sqs) on 127.0.0.1, with the queues (and their DLQs) created. */
export async function startLocalSqs(queues: readonly QueueSpec[]): Promise<LocalSqs> {
  const server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({
    endpoint,
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
  });
  const urls = new Map<string, string>();
  const create = async (name: string, attributes?: Record<string, string>) => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new Error(`local SQS did not create ${name}`);
    urls.set(name, QueueUrl);
    return QueueUrl;
  };
  for (const q of queues) {
    if (q.dlq && !urls.has(q.dlq.name)) await create(q.dlq.name);
    let attributes: Record<string, string> | undefined;
    if (q.dlq) {
      const dlqUrl = urls.get(q.dlq.name) ?? '';
      // Older `AttributeNames`: local-aws-sqs answers system attributes only to it (TOOLING.md).
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
      attributes = {
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: q.dlq.maxReceiveCount }),
      };
    }
    await create(q.name, attributes);
  }
  return {
    endpoint,
    client,
    queueUrl(name) {
      const url = urls.get(name);
      if (!url) throw new Error(`no local queue ${name}`);
      return url;
    },
    async receiveAll(url, options = {}) {
      const max = options.max ?? 10_000;
      const received: Message[] = [];
      while (received.length < max) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
            AttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) break;
        received.push(...Messages);
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
      return received;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}

/** Counts the calls a client makes of one command (e.g. `SendMessageBatch`), to check batching. */
export function countCalls(client: SQSClient, commandName: string): () => number {
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) calls++;
      return next(args);
    },
    { step: 'initialize' },
  );
  return () => calls;
}
