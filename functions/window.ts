import type { Context } from 'aws-lambda';
import { reportInvalidInput } from '../lib/aws/invalid-input';
import {
  countMetric,
  createObservability,
  type HandlerOptions,
  lambdaHandler,
  recordSummaryMetrics,
  withCommandId,
} from '../lib/aws/middleware';
import { type AwsRuntime, loadAwsRuntime } from '../lib/aws/runtime';
import { CommandValidationError } from '../lib/core/errors';
import { runCommand } from '../lib/core/run';
import type { Summary } from '../lib/core/types';
import { windowCommand } from '../lib/core/window';

/**
 * EventBridge Scheduler target: one fire of a window (pause at 09:00, resume at 18:00...) becomes one command,
 * its id derived from the schedule and the scheduled time, so a duplicate fire is the same command. Every
 * acting target is dispatched to the work queues (in-process only where none is configured: invoke local).
 */
export function createWindowHandler(options: HandlerOptions<AwsRuntime> = {}) {
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  const now = options.now ?? (() => new Date());
  return lambdaHandler(async (event: unknown, _context: Context): Promise<Summary> => {
    const rt = await runtime();
    let command: ReturnType<typeof windowCommand>;
    try {
      command = windowCommand(event);
    } catch (error) {
      if (error instanceof CommandValidationError)
        await reportInvalidInput({ failures: rt.failures, observability, now }, error.issues, event);
      throw error;
    }
    return withCommandId(observability.logger, command.commandId, async () => {
      const { summary } = await runCommand(command, rt.runDeps({ inProcessLimit: 0 }));
      countMetric(observability.metrics, 'window-fired');
      recordSummaryMetrics(observability.metrics, summary);
      observability.logger.info('window fired', { requestedBy: command.requestedBy, summary });
      return summary;
    });
  }, observability);
}

export const handler = createWindowHandler();
