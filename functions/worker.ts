import { timeLimitsOf } from '../lib/aws/deadline';
import { eventsOf } from '../lib/aws/events-of';
import { countMetric, type HandlerOptions, recordOutcomeMetrics } from '../lib/aws/middleware';
import type { AwsRuntime } from '../lib/aws/runtime';
import { createSqsMessageHandler } from '../lib/aws/sqs-handler';
import { runWorkMessage } from '../lib/core/run';
import { workMessageSchema } from '../lib/core/work';

/**
 * Consumes a provider's work queue: each message is one chunk of one account, executed here. Failed targets
 * are outcomes (ledger + failures queue), not errors; a malformed message is rejected once, never retried;
 * only an infrastructure failure makes the record a batch item failure.
 */
export function createWorkerHandler(options: HandlerOptions<AwsRuntime> = {}) {
  return createSqsMessageHandler(
    {
      schema: workMessageSchema,
      commandIdOf: (message) => message.command.commandId,
      failureLog: 'chunk failed; SQS will retry it',
      handle: async (message, record, rt, { logger, metrics }, context) => {
        const deps = rt.runDeps({ ...timeLimitsOf(context), ...eventsOf(rt, { logger, metrics }) });
        const { outcomes, handedOn } = await runWorkMessage(message, deps);
        countMetric(metrics, 'chunk-executed');
        if (handedOn > 0) countMetric(metrics, 'targets-handed-on', handedOn);
        recordOutcomeMetrics(metrics, outcomes);
        logger.info('chunk executed', {
          messageId: record.messageId,
          account: message.account,
          phase: message.phase,
          handoff: message.handoff,
          handedOn,
          outcomes: outcomes.map((o) => ({ taskId: o.target.taskId, outcome: o.outcome, errorClass: o.errorClass })),
        });
      },
    },
    options,
  );
}

export const handler = createWorkerHandler();
