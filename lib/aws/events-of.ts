import type { PauserEvent } from '../core/events';
import type { RunDeps } from '../core/run';
import { countMetric, type Observability } from './middleware';
import type { AwsRuntime } from './runtime';

/**
 * The stage's event bus (MP_EVENT_BUS_NAME), if any, with what a failed publish does here: an error log line naming
 * the events and a count of `events-failed`. The command has succeeded all the same: its outcomes are recorded.
 */
export function eventsOf(rt: AwsRuntime, { logger, metrics }: Observability): Pick<RunDeps, 'events'> {
  if (!rt.events) return {};
  return {
    events: {
      publisher: rt.events,
      onFailure: (error: unknown, events: readonly PauserEvent[]) => {
        logger.error('events not published; the outcomes are recorded in the ledger', {
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
          detailTypes: events.map((e) => e.detailType),
        });
        countMetric(metrics, 'events-failed', events.length);
      },
    },
  };
}
