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
import { type Command, parseCommand } from '../lib/core/command';
import { CommandValidationError } from '../lib/core/errors';
import { runCommand } from '../lib/core/run';
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
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  const now = options.now ?? (() => new Date());
  return lambdaHandler(async (event: unknown, _context: Context): Promise<IncidentReply> => {
    const rt = await runtime();
    let command: Command;
    try {
      command = parseCommand(event);
    } catch (error) {
      if (error instanceof CommandValidationError)
        await reportInvalidInput({ failures: rt.failures, observability, now }, error.issues, event);
      throw error;
    }
    return withCommandId(observability.logger, command.commandId, async () => {
      const { summary } = await runCommand(command, rt.runDeps({ inProcessLimit: rt.inProcessLimit }));
      countMetric(observability.metrics, 'incident-command');
      recordSummaryMetrics(observability.metrics, summary);
      const mode = (summary.totals.dispatched ?? 0) > 0 ? 'dispatched' : 'in-process';
      observability.logger.info('incident command finished', { mode, requestedBy: command.requestedBy, summary });
      return { summary, mode, followWith: `migration-pauser history --command ${command.commandId}` };
    });
  }, observability);
}

export const handler = createIncidentHandler();
