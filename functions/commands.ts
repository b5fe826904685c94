import { timeLimitsOf } from '../lib/aws/deadline';
import { eventsOf } from '../lib/aws/events-of';
import { countMetric, type HandlerOptions, recordSummaryMetrics } from '../lib/aws/middleware';
import type { AwsRuntime } from '../lib/aws/runtime';
import { createSqsMessageHandler } from '../lib/aws/sqs-handler';
import { commandSchema } from '../lib/core/command';
import { dispatchCommand, runCommand } from '../lib/core/run';

/**
 * Consumes the commands queue: each message is one Command, planned here and dispatched to the work queues.
 * A message that is not a valid command is never retried: it goes to the failures queue with its validation
 * issues and is acknowledged. Anything else that fails (SQS, the ledger, a provider listing outage that
 * throws) is a batch item failure: SQS retries it, then moves it to the commands DLQ.
 */
export function createCommandsHandler(options: HandlerOptions<AwsRuntime> = {}) {
  return createSqsMessageHandler(
    {
      schema: commandSchema,
      commandIdOf: (command) => command.commandId,
      failureLog: 'command failed; SQS will retry it',
      handle: async (received, record, rt, { logger, metrics }, context) => {
        // The sender's identity as SQS saw it, next to the requestedBy it claims: never what the body says.
        const command = { ...received, sentBy: record.attributes.SenderId || 'unknown' };
        const deps = rt.runDeps({ inProcessLimit: 0, ...timeLimitsOf(context), ...eventsOf(rt, { logger, metrics }) });
        const { workQueue } = deps;
        const { summary } = workQueue ? await dispatchCommand(command, { ...deps, workQueue }) : await runCommand(command, deps);
        countMetric(metrics, 'command-planned');
        recordSummaryMetrics(metrics, summary);
        logger.info('command planned', {
          messageId: record.messageId,
          requestedBy: command.requestedBy,
          sentBy: command.sentBy,
          summary,
        });
      },
    },
    options,
  );
}

export const handler = createCommandsHandler();
