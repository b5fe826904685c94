import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseJsonBody, reportInvalidInput } from '../lib/aws/invalid-input';
import {
  countMetric,
  createObservability,
  type HandlerOptions,
  lambdaHandler,
  recordSummaryMetrics,
  withCommandId,
} from '../lib/aws/middleware';
import { type AwsRuntime, loadAwsRuntime } from '../lib/aws/runtime';
import { commandSchema, toFieldIssues } from '../lib/core/command';
import { runCommand } from '../lib/core/run';

/**
 * Consumes the commands queue: each message is one Command, planned here and dispatched to the work queues.
 * A message that is not a valid command is never retried: it goes to the failures queue with its validation
 * issues and is acknowledged. Anything else that fails (SQS, the ledger, a provider listing outage that
 * throws) is a batch item failure: SQS retries it, then moves it to the commands DLQ.
 */
export function createCommandsHandler(options: HandlerOptions<AwsRuntime> = {}) {
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  const now = options.now ?? (() => new Date());
  const processor = new BatchProcessor(EventType.SQS);

  return lambdaHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const rt = await runtime();
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const body = parseJsonBody(record.body);
      const parsed = body.ok ? commandSchema.safeParse(body.value) : undefined;
      if (!parsed?.success) {
        const issues = parsed ? toFieldIssues(parsed.error) : body.ok ? [] : body.issues;
        await reportInvalidInput({ failures: rt.failures, observability, now }, issues, record.body);
        return;
      }
      const command = parsed.data;
      await withCommandId(observability.logger, command.commandId, async () => {
        try {
          const { summary } = await runCommand(command, rt.runDeps({ inProcessLimit: 0 }));
          countMetric(observability.metrics, 'command-planned');
          recordSummaryMetrics(observability.metrics, summary);
          observability.logger.info('command planned', { messageId: record.messageId, summary });
        } catch (error) {
          observability.logger.error('command failed; SQS will retry it', { messageId: record.messageId, error });
          throw error;
        }
      });
    };
    // One at a time: each command fans out on its own, and the log keys (the command id) stay per record.
    return processPartialResponse(event, handleRecord, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  }, observability);
}

export const handler = createCommandsHandler();
