import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsFailureSink } from '../../../lib/aws/failures-sqs';
import { SqsWorkQueue } from '../../../lib/aws/work-queue-sqs';
import { type FailureMessage, targetFailure } from '../../../lib/core/failures';
import { workMessageSchema } from '../../../lib/core/work';
import { aCommand, anOutcome, aTarget, aTask } from '../../helpers/factories';
import { type LocalSqs, startLocalSqs } from '../../helpers/local-sqs';

let sqs: LocalSqs;
let batchCalls = 0;

beforeEach(async () => {
  sqs = await startLocalSqs([{ name: 'failures' }, { name: 'work-drs', dlq: { name: 'work-drs-dlq', maxReceiveCount: 3 } }]);
  batchCalls = 0;
  sqs.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === SendMessageBatchCommand.name) batchCalls++;
      return next(args);
    },
    { step: 'initialize' },
  );
});

afterEach(async () => {
  await sqs.close();
});

describe('SqsFailureSink', () => {
  it('sends 500 failures in 50 batch calls, each one received with its attributes', async () => {
    const command = aCommand();
    const failures: FailureMessage[] = Array.from({ length: 500 }, (_, i) =>
      targetFailure(
        command,
        anOutcome({ target: aTarget({ taskId: `t-${i}` }), outcome: 'failed', errorClass: 'throttled', reason: 'slow down' }),
      ),
    );

    await new SqsFailureSink(sqs.client, sqs.queueUrl('failures')).send(failures);

    expect(batchCalls).toBe(50);
    const received = await sqs.receiveAll(sqs.queueUrl('failures'));
    expect(received).toHaveLength(500);
    const bodies = received.map((m) => JSON.parse(m.Body ?? '{}'));
    expect(new Set(bodies.map((b) => b.target.taskId)).size).toBe(500);
    expect(received[0]?.MessageAttributes).toMatchObject({
      kind: { StringValue: 'target-failed' },
      commandId: { StringValue: command.commandId },
      errorClass: { StringValue: 'throttled' },
    });
  });

  it('keeps a failure too large for SQS, with its reason cut and marked', async () => {
    const huge = targetFailure(aCommand(), anOutcome({ outcome: 'failed', reason: 'x'.repeat(300_000) }));

    await new SqsFailureSink(sqs.client, sqs.queueUrl('failures')).send([huge]);

    const [message] = await sqs.receiveAll(sqs.queueUrl('failures'));
    expect(JSON.parse(message?.Body ?? '{}').reason).toMatch(/… \(truncated\)$/);
  });
});

describe('SqsWorkQueue', () => {
  it('puts chunks on the provider queue in a form the worker parses back', async () => {
    const command = aCommand();
    const item = {
      target: aTarget({ provider: 'huawei-drs', account: 'drs-a' }),
      task: aTask({ provider: 'huawei-drs', account: 'drs-a' }),
    };
    const messages = Array.from({ length: 12 }, () => ({ version: 1 as const, command, account: 'drs-a', items: [item] }));

    await new SqsWorkQueue(sqs.client, { 'huawei-drs': sqs.queueUrl('work-drs') }).send('huawei-drs', messages);

    const received = await sqs.receiveAll(sqs.queueUrl('work-drs'));
    expect(received).toHaveLength(12);
    expect(workMessageSchema.parse(JSON.parse(received[0]?.Body ?? ''))).toEqual(messages[0]);
    expect(batchCalls).toBe(2);
  });

  it('refuses a provider without a queue instead of dropping its work', async () => {
    await expect(new SqsWorkQueue(sqs.client, {}).send('huawei-dcs', [])).rejects.toThrow(
      /no work queue configured for provider huawei-dcs/,
    );
  });
});
