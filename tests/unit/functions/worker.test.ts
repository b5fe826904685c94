import { describe, expect, it } from 'vitest';
import { createWorkerHandler } from '../../../functions/worker';
import type { WorkMessage } from '../../../lib/core/work';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { MemoryLedger } from '../../../lib/local/ledger-memory';
import { aCommand, aTarget, aTask } from '../../helpers/factories';
import { fakeRuntime, lambdaContext, quietObservability, sqsEvent } from './support';

function aWorkMessage(account = 'ncp-main'): WorkMessage {
  return {
    version: 1,
    command: aCommand(),
    account,
    phase: 'act',
    handoff: 0,
    items: [{ target: aTarget({ account }), task: aTask({ account }) }],
  };
}

class BrokenLedger extends MemoryLedger {
  override async flush(): Promise<void> {
    throw new Error('ledger unreachable');
  }
}

describe('the worker function', () => {
  it('acknowledges a malformed message and records it once on the failures queue', async () => {
    const failures = new MemoryFailureSink();
    const runtime = fakeRuntime({ failures });
    const handler = createWorkerHandler({ runtime: async () => runtime, observability: quietObservability() });
    const malformed = { ...aWorkMessage(), items: [] };

    const reply = await handler(sqsEvent([JSON.stringify(malformed)]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    expect(failures.messages).toEqual([
      expect.objectContaining({ kind: 'invalid-command', issues: [expect.objectContaining({ path: 'items' })] }),
    ]);
  });

  it('fails the targets of an account this stage does not know, without retrying the message', async () => {
    const failures = new MemoryFailureSink();
    const handler = createWorkerHandler({ runtime: async () => fakeRuntime({ failures }), observability: quietObservability() });

    const reply = await handler(sqsEvent([JSON.stringify(aWorkMessage('gone'))]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    expect(failures.messages).toEqual([expect.objectContaining({ kind: 'target-failed', errorClass: 'bad-request' })]);
  });

  it('reports a chunk whose outcomes could not be recorded as a batch item failure', async () => {
    const handler = createWorkerHandler({
      runtime: async () => fakeRuntime({ ledger: new BrokenLedger() }),
      observability: quietObservability(),
    });

    const reply = await handler(sqsEvent([JSON.stringify(aWorkMessage('gone'))]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
  });
});
