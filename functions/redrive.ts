import type { Context } from 'aws-lambda';
import { countMetric, createObservability, type HandlerOptions, lambdaHandler } from '../lib/aws/middleware';
import { type RedriveResult, redriveFailures } from '../lib/aws/redrive-sqs';
import { type AwsRuntime, loadAwsRuntime } from '../lib/aws/runtime';
import { toFieldIssues } from '../lib/core/command';
import { CommandValidationError, ConfigError } from '../lib/core/errors';
import { redriveRequestSchema } from '../lib/core/redrive';

/**
 * Operator tool: moves target failures from the failures queue back to the commands queue as new commands
 * (one per original command and account, scoped to the failed task ids), filtered by command id and/or
 * provider. `dryRun: true` shows what would move and moves nothing. `requestedBy` names the redriver in each
 * command's `redrive.by` (default `redrive-function`); the command keeps the original requester.
 */
export function createRedriveHandler(options: HandlerOptions<AwsRuntime> & { waitTimeSeconds?: number } = {}) {
  const observability = createObservability(options.observability);
  const runtime = options.runtime ?? (() => loadAwsRuntime());
  return lambdaHandler(async (event: unknown, _context: Context): Promise<RedriveResult> => {
    const parsed = redriveRequestSchema.safeParse(event ?? {});
    if (!parsed.success) throw new CommandValidationError(toFieldIssues(parsed.error));
    const rt = await runtime();
    if (!rt.failuresQueueUrl || !rt.commandsQueueUrl) {
      throw new ConfigError('redrive needs MP_FAILURES_QUEUE_URL and MP_COMMANDS_QUEUE_URL');
    }
    const result = await redriveFailures(
      {
        sqs: await rt.sqs(),
        failuresQueueUrl: rt.failuresQueueUrl,
        commandsQueueUrl: rt.commandsQueueUrl,
        waitTimeSeconds: options.waitTimeSeconds,
      },
      // The redriver named in each command's audit: the caller if it says who it is, this function otherwise.
      { ...parsed.data, requestedBy: parsed.data.requestedBy ?? 'redrive-function' },
    );
    countMetric(observability.metrics, parsed.data.dryRun ? 'redrive-would-move' : 'redrive-moved', result.moved);
    observability.logger.info('redrive finished', { request: parsed.data, result });
    return result;
  }, observability);
}

export const handler = createRedriveHandler();
