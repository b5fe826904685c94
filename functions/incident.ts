import { createCommandInvokeHandler } from '../lib/aws/invoke-handler';
import type { HandlerOptions } from '../lib/aws/middleware';
import type { AwsRuntime } from '../lib/aws/runtime';
import { parseCommand } from '../lib/core/command';
import type { Summary } from '../lib/core/types';

export interface IncidentReply {
  summary: Summary;
  /** `in-process`: the summary holds every outcome. `dispatched`: workers record them; follow the command id. */
  mode: 'in-process' | 'dispatched';
  followWith: string;
}

/**
 * Direct invoke for incidents: the event is one Command. Up to MP_INPROCESS_LIMIT acting targets run here and
 * the reply is the finished summary; a larger plan is dispatched to the work queues and the reply says so.
 * An invalid event fails the invocation with every bad field named (and is recorded on the failures queue).
 */
export function createIncidentHandler(options: HandlerOptions<AwsRuntime> = {}) {
  return createCommandInvokeHandler<IncidentReply>(
    {
      parse: parseCommand,
      inProcessLimit: (rt) => rt.inProcessLimit,
      metric: 'incident-command',
      reply: (command, summary, { logger }) => {
        const mode = (summary.totals.dispatched ?? 0) > 0 ? 'dispatched' : 'in-process';
        logger.info('incident command finished', { mode, requestedBy: command.requestedBy, summary });
        return { summary, mode, followWith: `migration-pauser history --command ${command.commandId}` };
      },
    },
    options,
  );
}

export const handler = createIncidentHandler();
