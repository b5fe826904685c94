import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../../lib/aws/work-queue-sqs';
import { ConfigError } from '../../../lib/core/errors';
import { type WorkMessage, workMessageSchema } from '../../../lib/core/work';
import { aCommand, aTarget, aTask } from '../../helpers/factories';
import { countCalls, type LocalSqs, startLocalSqs } from '../../helpers/local-sqs';

let sqs: LocalSqs;
let batchCalls: () => number;

beforeEach(async () => {
  sqs = await startLocalSqs([{ name: 'work-drs', dlq: { name: 'work-drs-dlq', maxReceiveCount: 3 } }]);
  batchCalls = countCalls(sqs.client, SendMessageBatchCommand.name);
});

afterEach(async () => {
  await sqs.close();
});

describe('SqsWorkQueue on local SQS', () => {
  it('puts chunks on the provider queue, in batches, in a form the worker parses back', async () => {
    const command = aCommand();
    const messages: WorkMessage[] = Array.from({ length: 12 }, (_, i) => ({
      version: 1,
      command,
      account: 'drs-a',
      phase: 'act',
      handoff: 0,
      items: [
        {
          target: aTarget({ provider: 'huawei-drs', account: 'drs-a', taskId: `job-${i}` }),
          task: aTask({ provider: 'huawei-drs', account: 'drs-a', taskId: `job-${i}` }),
        },
      ],
    }));

    await new SqsWorkQueue(sqs.client, { 'huawei-drs': sqs.queueUrl('work-drs') }).send('huawei-drs', messages);

    expect(batchCalls()).toBe(2);
    const received = await sqs.receiveAll(sqs.queueUrl('work-drs'));
    const parsed = received.map((m) => workMessageSchema.parse(JSON.parse(m.Body ?? '')));
    expect(parsed.sort((a, b) => (a.items[0]?.target.taskId ?? '').localeCompare(b.items[0]?.target.taskId ?? ''))).toEqual(
      [...messages].sort((a, b) => (a.items[0]?.target.taskId ?? '').localeCompare(b.items[0]?.target.taskId ?? '')),
    );
    expect(received[0]?.MessageAttributes).toEqual({
      provider: { DataType: 'String', StringValue: 'huawei-drs' },
      commandId: { DataType: 'String', StringValue: command.commandId },
    });
  });

  it('refuses a provider without a queue with a ConfigError instead of dropping its work', async () => {
    const error = await new SqsWorkQueue(sqs.client, { 'huawei-drs': sqs.queueUrl('work-drs') })
      .send('huawei-dcs', [])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/no work queue configured for provider huawei-dcs \(MP_WORK_QUEUE_URLS\)/);
  });
});
