import type { Context } from 'aws-lambda';
import type { Command } from '../core/command';
import { CommandValidationError } from '../core/errors';
import { type RunDeps, runCommand } from '../core/run';
import { type SkippedFire, skipCommand } from '../core/skip';
import type { Summary } from '../core/types';
import { timeLimitsOf } from './deadline';
import { eventsOf } from './events-of';
import { reportInvalidInput } from './invalid-input';
import {
  countMetric,
  createObservability,
  type HandlerOptions,
  lambdaHandler,
  type Observability,
  recordSummaryMetrics,
  withCommandId,
} from './middleware';
import { type AwsRuntime, loadAwsRuntime } from './runtime';

export interface InvokeSpec<TReply> {
  /** Turns the event into a Command; throws CommandValidationError naming every bad field. */
  parse: (event: unknown) => Command;
  /** Most acting targets run inside this invocation; the rest go to the work queues. */
  inProcessLimit: (runtime: AwsRuntime) => number;
  /** The metric counted once per invocation. */
  metric: string;
  /** A fire that must not act (a window's blackout date): recorded as skipped instead of run. */
  skip?: (event: unknown) => SkippedFire | undefined;
  reply: (command: Command, summary: Summary, observability: Observability, skipped?: SkippedFire) => TReply;
}

/**
 * The shape of the functions invoked with one command as their event (window, incident): parse it (an invalid
 * one is recorded on the failures queue and fails the invocation), run it under its command id, count it.
 */
export function createCommandInvokeHandler<TReply>(spec: InvokeSpec<TReply>, options: HandlerOptions<AwsRuntime> = {}) {
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  const now = options.now ?? (() => new Date());
  return lambdaHandler(async (event: unknown, context: Context): Promise<TReply> => {
    const rt = await runtime();
    let command: Command;
    try {
      command = spec.parse(event);
    } catch (error) {
      if (error instanceof CommandValidationError)
        await reportInvalidInput({ failures: rt.failures, observability, now }, error.issues, event);
      throw error;
    }
    return withCommandId(observability.logger, command.commandId, async () => {
      const deps: RunDeps = rt.runDeps({
        inProcessLimit: spec.inProcessLimit(rt),
        ...timeLimitsOf(context),
        ...eventsOf(rt, observability),
      });
      const skipped = spec.skip?.(event);
      const { summary } = skipped ? await skipCommand(command, skipped, deps) : await runCommand(command, deps);
      countMetric(observability.metrics, skipped ? 'window-skipped' : spec.metric);
      recordSummaryMetrics(observability.metrics, summary);
      return spec.reply(command, summary, observability, skipped);
    });
  }, observability);
}
