import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsFailureSink } from '../../../lib/aws/failures-sqs';
import { SqsSendError } from '../../../lib/aws/sqs-batch';
import { type FailureMessage, targetFailure } from '../../../lib/core/failures';
import { aCommand, anOutcome, aTarget } from '../../helpers/factories';
import { countCalls, type LocalSqs, startLocalSqs } from '../../helpers/local-sqs';

let sqs: LocalSqs;
let batchCalls: () => number;

beforeEach(async () => {
  sqs = await startLocalSqs([{ name: 'failures' }]);
  batchCalls = countCalls(sqs.client, SendMessageBatchCommand.name);
});

afterEach(async () => {
  await sqs.close();
});

describe('SqsFailureSink on local SQS', () => {
  it('sends 500 failures in at most 50 batch calls, each received as its FailureMessage with attributes', async () => {
    const command = aCommand();
    const failures: FailureMessage[] = Array.from({ length: 500 }, (_, i) =>
      targetFailure(
        command,
        anOutcome({
          target: aTarget({ provider: 'huawei-oms', taskId: `t-${i}` }),
          outcome: 'failed',
          errorClass: 'throttled',
          reason: 'slow down',
        }),
      ),
    );

    await new SqsFailureSink(sqs.client, sqs.queueUrl('failures')).send(failures);

    expect(batchCalls()).toBeLessThanOrEqual(50);
    const received = await sqs.receiveAll(sqs.queueUrl('failures'));
    expect(received).toHaveLength(500);
    // The body is exactly the FailureMessage: nothing else (no credential) can ride along.
    const expected = new Set(failures.map((f) => JSON.stringify(f)));
    expect(received.every((m) => expected.has(m.Body ?? ''))).toBe(true);
    expect(new Set(received.map((m) => m.Body)).size).toBe(500);
    for (const message of received) {
      expect(message.MessageAttributes).toEqual({
        kind: { DataType: 'String', StringValue: 'target-failed' },
        commandId: { DataType: 'String', StringValue: command.commandId },
        provider: { DataType: 'String', StringValue: 'huawei-oms' },
        errorClass: { DataType: 'String', StringValue: 'throttled' },
      });
    }
  });

  it('keeps a failure too large for SQS, with its reason cut and marked', async () => {
    const huge = targetFailure(aCommand(), anOutcome({ outcome: 'failed', reason: 'x'.repeat(300_000) }));

    await new SqsFailureSink(sqs.client, sqs.queueUrl('failures')).send([huge]);

    const received = await sqs.receiveAll(sqs.queueUrl('failures'));
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0]?.Body ?? '{}');
    expect(body.reason).toMatch(/… \(truncated\)$/);
    expect(body.target).toEqual(huge.kind === 'target-failed' ? huge.target : undefined);
  });

  it('splits a batch before it passes 256 KiB', async () => {
    const large = Array.from({ length: 10 }, (_, i) =>
      targetFailure(
        aCommand(),
        anOutcome({ target: aTarget({ taskId: `t-${i}` }), outcome: 'failed', reason: 'y'.repeat(100_000) }),
      ),
    );

    await new SqsFailureSink(sqs.client, sqs.queueUrl('failures')).send(large);

    expect(batchCalls()).toBe(5);
    const received = await sqs.receiveAll(sqs.queueUrl('failures'));
    expect(received.map((m) => JSON.parse(m.Body ?? '{}').reason.length)).toEqual(Array(10).fill(100_000));
  });

  it('sends an invalid command with only the attributes it has', async () => {
    const invalid: FailureMessage = {
      kind: 'invalid-command',
      issues: [{ path: 'action', message: 'required' }],
      received: '{}',
      failedAt: '2026-11-28T00:00:00.000Z',
    };

    await new SqsFailureSink(sqs.client, sqs.queueUrl('failures')).send([invalid]);

    const [message] = await sqs.receiveAll(sqs.queueUrl('failures'));
    expect(message?.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'invalid-command' } });
    expect(message?.Body).toBe(JSON.stringify(invalid));
  });
});

describe('SqsFailureSink when SQS rejects entries', () => {
  const client = new SQSClient({ region: 'ap-northeast-2', credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' } });
  const sqsMock = mockClient(client);
  const failures = Array.from({ length: 3 }, (_, i) =>
    targetFailure(aCommand(), anOutcome({ target: aTarget({ taskId: `t-${i}` }), outcome: 'failed' })),
  );
  const rejected = (ids: string[]) => ({
    Successful: [],
    Failed: ids.map((Id) => ({ Id, Code: 'InternalError', SenderFault: false })),
  });

  afterEach(() => {
    sqsMock.reset();
  });

  it('sends the failed entries once more, and only those', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce(rejected(['1']))
      .resolves({ Successful: [], Failed: [] });

    await new SqsFailureSink(client, 'http://127.0.0.1:1/queue/failures').send(failures);

    const calls = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([3, 1]);
    expect(calls[1]?.[0]?.MessageBody).toBe(JSON.stringify(failures[1]));
  });

  it('throws, naming how many could not be sent, when they fail again', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce(rejected(['0', '2']))
      .resolves(rejected(['0', '1']));

    const error = await new SqsFailureSink(client, 'http://127.0.0.1:1/queue/failures').send(failures).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SqsSendError);
    expect((error as SqsSendError).unsent).toBe(2);
    expect((error as Error).message).toMatch(/^2 message\(s\) could not be sent to .*failures \(InternalError\)$/);
  });
});
