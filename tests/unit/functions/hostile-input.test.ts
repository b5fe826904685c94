import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCommandsHandler } from '../../../functions/commands';
import { createIncidentHandler } from '../../../functions/incident';
import { createWorkerHandler } from '../../../functions/worker';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { fakeRuntime, lambdaContext, quietObservability, sqsEvent } from './support';

/** Bodies a queue might carry: any text, any JSON, and near-commands with random fields. */
const hostileBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      { action: fc.constantFrom('pause', 'resume', 'stop'), scope: fc.jsonValue(), reason: fc.string(), extra: fc.jsonValue() },
      {
        requiredKeys: [],
      },
    )
    .map((v) => JSON.stringify(v)),
);

describe('hostile input', () => {
  it('the commands function acknowledges every malformed message and records each once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileBody, { minLength: 1, maxLength: 5 }), async (bodies) => {
        const failures = new MemoryFailureSink();
        const handler = createCommandsHandler({
          runtime: async () => fakeRuntime({ failures }),
          observability: quietObservability(),
        });

        const reply = await handler(sqsEvent(bodies), lambdaContext);

        expect(reply.batchItemFailures).toEqual([]);
        expect(failures.messages.length).toBeLessThanOrEqual(bodies.length);
        for (const m of failures.messages) {
          expect(m.kind).toBe('invalid-command');
          expect(m.kind === 'invalid-command' && Buffer.byteLength(m.received, 'utf8')).toBeLessThanOrEqual(2048);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the worker function never retries a malformed chunk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileBody, { minLength: 1, maxLength: 5 }), async (bodies) => {
        const failures = new MemoryFailureSink();
        const handler = createWorkerHandler({
          runtime: async () => fakeRuntime({ failures }),
          observability: quietObservability(),
        });

        const reply = await handler(sqsEvent(bodies), lambdaContext);

        expect(reply.batchItemFailures).toEqual([]);
        expect(failures.messages).toHaveLength(bodies.length);
      }),
      { numRuns: 150 },
    );
  });

  it('the incident function answers any event with a summary or a validation error, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (event) => {
        const handler = createIncidentHandler({ runtime: async () => fakeRuntime(), observability: quietObservability() });

        const outcome = await handler(event, lambdaContext).then(
          (reply) => reply.mode,
          (error: unknown) => (error as Error).name,
        );

        expect(['in-process', 'CommandValidationError']).toContain(outcome);
      }),
      { numRuns: 150 },
    );
  });
});
