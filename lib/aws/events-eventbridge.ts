import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventsNotPublishedError } from '../core/errors';
import { EVENT_SOURCE, type EventPublisher, type PauserEvent } from '../core/events';
import { type ClientSource, resolveClient } from './clients';

/** PutEvents limits: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;

export interface EventBridgePublisherOptions {
  /** Attempts per entry, the first included (default 3): a throttled or internally failed entry is sent again. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Publishes to one EventBridge bus, in PutEvents calls of at most 10 entries and 256 KB. PutEvents succeeds as a
 * call while refusing single entries (FailedEntryCount): those are sent again, and so is a call that threw; every
 * batch is tried even when an earlier one failed. What still fails is reported at the end as one
 * EventsNotPublishedError.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: ClientSource<EventBridgeClient>,
    private readonly eventBusName: string,
    options: EventBridgePublisherOptions = {},
  ) {
    this.attempts = options.attempts ?? 3;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(events: readonly PauserEvent[]): Promise<void> {
    const entries = events.map((e) => this.entryOf(e));
    const { batches, oversized } = batchEntries(entries);
    const errorCodes = new Set<string>(oversized.length ? ['EntryTooLarge'] : []);
    let failed = oversized.length;
    let cause: unknown;
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const client = await resolveClient(this.client);
    for (const batch of batches) {
      let pending = batch;
      for (let attempt = 1; pending.length > 0 && attempt <= this.attempts; attempt++) {
        if (attempt > 1) await this.sleep(100 * 2 ** (attempt - 2));
        try {
          const reply = await client.send(new PutEventsCommand({ Entries: pending }));
          const results = reply.Entries ?? [];
          // Entries come back in the order sent; a failed one has an ErrorCode and no EventId.
          const refused = pending.filter((_, i) => results[i]?.ErrorCode !== undefined || results[i]?.EventId === undefined);
          for (const r of results) if (r.ErrorCode) errorCodes.add(r.ErrorCode);
          pending = (reply.FailedEntryCount ?? 0) > 0 || refused.length > 0 ? refused : [];
        } catch (error) {
          cause = error;
          errorCodes.add(error instanceof Error ? error.name : 'Error');
        }
      }
      failed += pending.length;
    }
    if (failed > 0) throw new EventsNotPublishedError(failed, entries.length, [...errorCodes], { cause });
  }

  private entryOf(event: PauserEvent): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    };
  }
}

/** An entry's size as EventBridge counts it: source, detail type, detail and resources in UTF-8 bytes. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0)
  );
}

/** Entries in order, in calls of at most 10 and 256 KB; an entry larger than a whole call can never be sent. */
export function batchEntries(entries: readonly PutEventsRequestEntry[]): {
  batches: PutEventsRequestEntry[][];
  oversized: PutEventsRequestEntry[];
} {
  const batches: PutEventsRequestEntry[][] = [];
  const oversized: PutEventsRequestEntry[] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > MAX_BYTES_PER_CALL) {
      oversized.push(entry);
      continue;
    }
    if (current.length === MAX_ENTRIES_PER_CALL || bytes + size > MAX_BYTES_PER_CALL) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}
