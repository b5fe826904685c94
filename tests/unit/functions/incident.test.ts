import { describe, expect, it } from 'vitest';
import { createIncidentHandler } from '../../../functions/incident';
import { CommandValidationError } from '../../../lib/core/errors';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { fakeRuntime, lambdaContext, quietObservability } from './support';

describe('the incident function', () => {
  it('refuses an invalid event, naming every bad field, and records it on the failures queue', async () => {
    const failures = new MemoryFailureSink();
    const handler = createIncidentHandler({
      runtime: async () => fakeRuntime({ failures }),
      observability: quietObservability(),
    });

    const invocation = handler({ action: 'halt', scope: { all: true, providers: ['huawei-oms'] }, dryRun: 'yes' }, lambdaContext);

    const error = await invocation.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandValidationError);
    expect((error as CommandValidationError).issues.map((i) => i.path).sort()).toEqual(['action', 'dryRun', 'reason', 'scope']);
    expect(failures.messages).toEqual([expect.objectContaining({ kind: 'invalid-command' })]);
  });

  it('returns the summary, the mode and how to follow the command', async () => {
    const handler = createIncidentHandler({ runtime: async () => fakeRuntime(), observability: quietObservability() });

    const reply = await handler(
      { action: 'pause', scope: { all: true }, reason: 'INC-1: test', commandId: '00000000-0000-4000-8000-000000000042' },
      lambdaContext,
    );

    expect(reply).toEqual({
      summary: expect.objectContaining({ commandId: '00000000-0000-4000-8000-000000000042', targets: 0 }),
      mode: 'in-process',
      followWith: 'migration-pauser history --command 00000000-0000-4000-8000-000000000042',
    });
  });
});
