import { describe, expect, it } from 'vitest';
import { fakeAccounts } from '../../../bench/fake-fleet';
import { createCommandsHandler } from '../../../functions/commands';
import type { FailureMessage, FailureSink } from '../../../lib/core/failures';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { MemoryLedger } from '../../../lib/local/ledger-memory';
import { adapters } from '../../../lib/providers/registry';
import type { ProviderAdapter, ProviderTask } from '../../../lib/providers/types';
import { aCommand } from '../../helpers/factories';
import { fakeRuntime, lambdaContext, MemoryWorkQueue, quietObservability, sqsEvent } from './support';

class BrokenLedger extends MemoryLedger {
  override async flush(): Promise<void> {
    throw new Error('ledger unreachable');
  }
}

class UnreachableFailureSink implements FailureSink {
  async send(messages: readonly FailureMessage[]): Promise<void> {
    if (messages.length) throw new Error('failures queue unreachable');
  }
}

function handlerWith(options: Parameters<typeof fakeRuntime>[0] = {}) {
  const runtime = fakeRuntime(options);
  return { runtime, handler: createCommandsHandler({ runtime: async () => runtime, observability: quietObservability() }) };
}

describe('the commands function', () => {
  it('acknowledges an invalid command and sends exactly one failure naming every bad field', async () => {
    const failures = new MemoryFailureSink();
    const { handler } = handlerWith({ failures });
    const body = JSON.stringify({ action: 'stop', scope: {}, reason: 'x' });

    const reply = await handler(sqsEvent([body]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    expect(failures.messages).toHaveLength(1);
    const [failure] = failures.messages;
    expect(failure).toMatchObject({ kind: 'invalid-command', received: body });
    expect(failure?.kind === 'invalid-command' && failure.issues.map((i) => i.path)).toEqual(['action', 'scope']);
  });

  it('acknowledges a body that is not JSON and keeps only 2 KB of it', async () => {
    const failures = new MemoryFailureSink();
    const { handler } = handlerWith({ failures });

    const reply = await handler(sqsEvent([`{${'x'.repeat(10_000)}`]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    expect(failures.messages).toEqual([
      expect.objectContaining({ kind: 'invalid-command', issues: [{ path: '(body)', message: 'not valid JSON' }] }),
    ]);
    expect(failures.messages[0]?.kind === 'invalid-command' && failures.messages[0].received.length).toBe(2048);
  });

  it('runs a valid command and acknowledges it', async () => {
    const failures = new MemoryFailureSink();
    const { handler } = handlerWith({ failures });

    const reply = await handler(sqsEvent([JSON.stringify(aCommand())]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    expect(failures.messages).toEqual([]);
  });

  it('reports only the record that met an infrastructure failure, so SQS retries just that one', async () => {
    const { handler } = handlerWith({ ledger: new BrokenLedger() });
    const event = sqsEvent(['not json', JSON.stringify(aCommand())]);

    const reply = await handler(event, lambdaContext);

    expect(reply.batchItemFailures).toEqual([{ itemIdentifier: 'msg-2' }]);
  });

  it('retries an invalid command when the failures queue cannot take it, rather than losing it', async () => {
    const { handler } = handlerWith({ failures: new UnreachableFailureSink() });

    const reply = await handler(sqsEvent(['not json']), lambdaContext);

    expect(reply.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
  });
});

describe('the commands function and who sent a command', () => {
  it('records the SQS SenderId next to the requestedBy the body claims, whatever the body says about its sender', async () => {
    const accounts = fakeAccounts('sent').accounts.slice(0, 1);
    const task = (account: string): ProviderTask => ({
      provider: 'ncp-object-migration',
      account,
      taskId: 'photos',
      name: 'photos',
      state: 'STARTED',
      phase: 'running',
    });
    const fake: ProviderAdapter = {
      key: 'ncp-object-migration',
      capabilities: adapters['ncp-object-migration'].capabilities,
      open: ({ account }) => ({
        list: async () => [task(account.name)],
        get: async (ids) => new Map(ids.map((id) => [id, task(account.name)])),
        pause: async (tasks) => tasks.map((t) => ({ taskId: t.taskId, ok: true as const })),
        resume: async (tasks) => tasks.map((t) => ({ taskId: t.taskId, ok: true as const })),
      }),
    };
    const workQueue = new MemoryWorkQueue();
    const { handler } = handlerWith({
      accounts,
      workQueue,
      env: { MP_SENT_FAKE_0_1: '{"accessKey":"FAKE-AK","secretKey":"FAKE-SK"}' },
      registry: { ...adapters, 'ncp-object-migration': fake },
    });
    const body = JSON.stringify({ ...aCommand({ requestedBy: 'dba-team' }), sentBy: 'the-ceo' });

    const reply = await handler(sqsEvent([body]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    const [message] = workQueue.drain();
    expect(message?.command).toMatchObject({ requestedBy: 'dba-team', sentBy: 'AIDAFAKESENDER0001' });
  });
});
