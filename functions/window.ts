import { createCommandInvokeHandler } from '../lib/aws/invoke-handler';
import type { HandlerOptions } from '../lib/aws/middleware';
import type { AwsRuntime } from '../lib/aws/runtime';
import type { Summary } from '../lib/core/types';
import { skippedFire, windowCommand } from '../lib/core/window';

/**
 * EventBridge Scheduler target: one fire of a window (pause at 09:00, resume at 18:00...) becomes one command,
 * its id derived from the schedule and the scheduled time, so a duplicate fire is the same command. Every
 * acting target is dispatched to the work queues (in-process only where none is configured: invoke local).
 */
export function createWindowHandler(options: HandlerOptions<AwsRuntime> = {}) {
  return createCommandInvokeHandler<Summary>(
    {
      parse: windowCommand,
      inProcessLimit: () => 0,
      metric: 'window-fired',
      // A pause on one of the window's blackout dates: its tasks are recorded as skipped, and `window-skipped` counted.
      skip: skippedFire,
      reply: (command, summary, { logger }, skipped) => {
        if (skipped) logger.info('window fire skipped: blackout date', { requestedBy: command.requestedBy, ...skipped, summary });
        else logger.info('window fired', { requestedBy: command.requestedBy, summary });
        return summary;
      },
    },
    options,
  );
}

export const handler = createWindowHandler();
