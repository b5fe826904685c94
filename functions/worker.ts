import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJsonBody, reportInvalidInput } from '../lib/aws/invalid-input';
import {
  countMetric,
  createObservability,
  type HandlerOptions,
  lambdaHandler,
  recordOutcomeMetrics,
  withCommandId,
} from '../lib/aws/middleware';
import { type AwsRuntime, loadAwsRuntime } from '../lib/aws/runtime';
import { toFieldIssues } from '../lib/core/command';
import { runWorkMessage } from '../lib/core/run';
import { workMessageSchema } from '../lib/core/work';

/**
 * Consumes a provider's work queue: each message is one chunk of one account, executed here. Failed targets
 * are outcomes (ledger + failures queue), not errors; a malformed message is rejected once, never retried;
 * only an infrastructure failure makes the record a batch item failure.
 */
export function createWorkerHandler(options: HandlerOptions<AwsRuntime> = {}) {
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  const now = options.now ?? (() => new Date());
  const processor = new BatchProcessor(EventType.SQS);

  return lambdaHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const rt = await runtime();
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const body = parseJsonBody(record.body);
      const parsed = body.ok ? workMessageSchema.safeParse(body.value) : undefined;
      if (!parsed?.success) {
        const issues = parsed ? toFieldIssues(parsed.error) : body.ok ? [] : body.issues;
        await reportInvalidInput({ failures: rt.failures, observability, now }, issues, record.body);
        return;
      }
      const message = parsed.data;
      await withCommandId(observability.logger, message.command.commandId, async () => {
        try {
          const outcomes = await runWorkMessage(message, rt.runDeps());
          countMetric(observability.metrics, 'chunk-executed');
          recordOutcomeMetrics(observability.metrics, outcomes);
          observability.logger.info('chunk executed', {
            messageId: record.messageId,
            account: message.account,
            outcomes: outcomes.map((o) => ({ taskId: o.target.taskId, outcome: o.outcome, errorClass: o.errorClass })),
          });
        } catch (error) {
          observability.logger.error('chunk failed; SQS will retry it', { messageId: record.messageId, error });
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

export const handler = createWorkerHandler();
