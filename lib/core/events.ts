import type { Command } from './command';
import type { ErrorClass } from './errors';
import type { Summary, Target, TargetOutcome } from './types';

/**
 * Events for other systems: what became of a command, told on an EventBridge bus (or, locally, a JSON-lines file).
 * The shape is documented in docs/events.md and docs/events.schema.json; EVENTS_VERSION changes when a field is
 * removed or changes meaning (adding one does not).
 */
export const EVENTS_VERSION = 1;
/** The EventBridge `source` of every event. */
export const EVENT_SOURCE = 'migration-pauser';

export const DETAIL_TYPES = ['Command Completed', 'Target Failed', 'Window Skipped'] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

/** What every event says about its command. */
interface AboutCommand {
  version: typeof EVENTS_VERSION;
  commandId: string;
  action: Command['action'];
  /** The command's source: whose holds it placed or released (`window:weekday-business-hours`, `INC-123`). */
  source: string;
  reason: string;
  requestedBy: string;
}

export interface FailedTarget {
  target: Pick<Target, 'provider' | 'account' | 'taskId' | 'name'>;
  reason: string;
  errorClass: ErrorClass;
  providerCode?: string;
  attempts: number;
  failedAt: string;
}

export type PauserEvent =
  | {
      detailType: 'Command Completed';
      detail: AboutCommand & {
        /**
         * Counts per outcome. `dispatched` targets went to the work queues: their outcomes are recorded by the
         * workers (which send Target Failed for those that fail), not counted here.
         */
        summary: Summary;
      };
    }
  | {
      detailType: 'Target Failed';
      detail: AboutCommand & {
        /** Counts of the run that recorded these failures (the whole command, or one worker's chunk). */
        summary: { targets: number; totals: Summary['totals'] };
        failed: FailedTarget[];
      };
    }
  | {
      detailType: 'Window Skipped';
      detail: AboutCommand & {
        window: string;
        scheduledTime: string;
        /** The fire's date in the window's zone, and the blackout entry that covers it. */
        localDate: string;
        blackout: string;
        summary: Summary;
      };
    };

/** The events port: EventBridge on AWS, a JSON-lines file locally. A failed publish throws; see publishEvents. */
export interface EventPublisher {
  publish(events: readonly PauserEvent[]): Promise<void>;
}

export function aboutCommand(command: Command): AboutCommand {
  return {
    version: EVENTS_VERSION,
    commandId: command.commandId,
    action: command.action,
    source: command.source,
    reason: command.reason,
    requestedBy: command.requestedBy,
  };
}

/** Failed targets per Target Failed event, at most. */
export const FAILED_TARGETS_PER_EVENT = 100;
/** And at most this many bytes of them: an EventBridge entry takes 256 KB, the rest of the detail included. */
const FAILED_BYTES_PER_EVENT = 200 * 1024;

/** The events of a finished run: Target Failed (batched) for its failed outcomes, then Command Completed. */
export function runEvents(command: Command, outcomes: readonly TargetOutcome[], summary?: Summary): PauserEvent[] {
  const events: PauserEvent[] = targetFailedEvents(command, outcomes);
  if (summary) events.push({ detailType: 'Command Completed', detail: { ...aboutCommand(command), summary } });
  return events;
}

/** Target Failed events for the failed outcomes among `outcomes` (none when nothing failed). */
export function targetFailedEvents(command: Command, outcomes: readonly TargetOutcome[]): PauserEvent[] {
  const failed = outcomes.filter((o) => o.outcome === 'failed').map(failedTarget);
  const totals: Summary['totals'] = {};
  for (const o of outcomes) totals[o.outcome] = (totals[o.outcome] ?? 0) + 1;
  const events: PauserEvent[] = [];
  const emit = (batch: FailedTarget[]) =>
    events.push({
      detailType: 'Target Failed',
      detail: { ...aboutCommand(command), summary: { targets: outcomes.length, totals }, failed: batch },
    });
  let batch: FailedTarget[] = [];
  let bytes = 0;
  for (const target of failed) {
    const size = Buffer.byteLength(JSON.stringify(target), 'utf8');
    if (batch.length === FAILED_TARGETS_PER_EVENT || (batch.length > 0 && bytes + size > FAILED_BYTES_PER_EVENT)) {
      emit(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(target);
    bytes += size;
  }
  if (batch.length > 0) emit(batch);
  return events;
}

function failedTarget(o: TargetOutcome): FailedTarget {
  return {
    target: { provider: o.target.provider, account: o.target.account, taskId: o.target.taskId, name: o.target.name },
    reason: clip(o.reason ?? 'failed', 1000),
    errorClass: o.errorClass ?? 'provider-error',
    ...(o.providerCode ? { providerCode: clip(o.providerCode, 100) } : {}),
    attempts: o.attempts,
    failedAt: o.finishedAt,
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Publishes without ever failing the command: the outcomes are already in the ledger (the record of truth), so
 * a bus that refuses only loses the notification. `onFailure` is told (the functions log it and count the metric
 * `events-failed`; the CLI prints a warning).
 */
export async function publishEvents(
  publisher: EventPublisher | undefined,
  events: readonly PauserEvent[],
  onFailure: (error: unknown, events: readonly PauserEvent[]) => void,
): Promise<void> {
  if (!publisher || events.length === 0) return;
  try {
    await publisher.publish(events);
  } catch (error) {
    onFailure(error, events);
  }
}
