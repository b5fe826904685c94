import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod/mini';
import { toFieldIssues } from '../core/command';
import { ClaimsInProgressError } from '../core/errors';
import { parseJsonBody, reportInvalidInput } from './invalid-input';
import { createObservability, type HandlerOptions, lambdaHandler, type Observability, withCommandId } from './middleware';
import { type AwsRuntime, loadAwsRuntime } from './runtime';

export interface SqsMessageSpec<S extends z.ZodMiniType> {
  /** The message body's schema; a body that fails it is reported once and acknowledged, never retried. */
  schema: S;
  commandIdOf: (message: z.output<S>) => string;
  /** Handles one valid message; throwing makes the record a batch item failure (SQS retries, then its DLQ). */
  handle: (
    message: z.output<S>,
    record: SQSRecord,
    runtime: AwsRuntime,
    observability: Observability,
    context: Context,
  ) => Promise<void>;
  /** What the error log says when `handle` throws. */
  failureLog: string;
}

/**
 * The shape every SQS consumer here shares: parse each record's JSON body with a schema, send an invalid one to
 * the failures queue and acknowledge it, handle a valid one under its command id, and report partial batch
 * failures — one record at a time, so each fan-out and its log keys stay per record.
 */
export function createSqsMessageHandler<S extends z.ZodMiniType>(
  spec: SqsMessageSpec<S>,
  options: HandlerOptions<AwsRuntime> = {},
) {
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  const now = options.now ?? (() => new Date());
  const processor = new BatchProcessor(EventType.SQS);

  return lambdaHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const rt = await runtime();
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const body = parseJsonBody(record.body);
      const parsed = body.ok ? spec.schema.safeParse(body.value) : undefined;
      if (!parsed?.success) {
        const issues = parsed ? toFieldIssues(parsed.error) : body.ok ? [] : body.issues;
        await reportInvalidInput({ failures: rt.failures, observability, now }, issues, record.body);
        return;
      }
      const message = parsed.data;
      await withCommandId(observability.logger, spec.commandIdOf(message), async () => {
        try {
          await spec.handle(message, record, rt, observability, context);
        } catch (error) {
          if (error instanceof ClaimsInProgressError) {
            // Not a failure: a duplicate delivery. As a batch item failure the message reappears after the queue's
            // visibility timeout (longer than any invocation lives), when the first delivery has finished or died.
            observability.logger.info('another delivery is working on this message; it goes back to the queue', {
              messageId: record.messageId,
              targets: error.targets.length,
            });
          } else {
            observability.logger.error(spec.failureLog, { messageId: record.messageId, error });
          }
          throw error;
        }
      });
    };
    return processPartialResponse(event, handleRecord, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  }, observability);
}
