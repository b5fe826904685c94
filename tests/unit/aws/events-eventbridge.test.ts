import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { batchEntries, EventBridgePublisher, entrySize, MAX_BYTES_PER_CALL } from '../../../lib/aws/events-eventbridge';
import { EventsNotPublishedError } from '../../../lib/core/errors';
import { FAILED_TARGETS_PER_EVENT, type PauserEvent, runEvents } from '../../../lib/core/events';
import type { Summary } from '../../../lib/core/types';
import { aCommand, anOutcome, aTarget } from '../../helpers/factories';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const client = new EventBridgeClient({ region: 'ap-northeast-2', credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' } });
const bridge = mockClient(client);
const noSleep = async () => {};

function aSummary(command = aCommand()): Summary {
  return {
    commandId: command.commandId,
    action: command.action,
    dryRun: false,
    targets: 1,
    byProvider: { 'ncp-object-migration': { paused: 1 } },
    totals: { paused: 1 },
    accountFailures: [],
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:00:01.000Z',
    seconds: 1,
  };
}

/** `count` Command Completed events (one per command). */
function completions(count: number): PauserEvent[] {
  return Array.from({ length: count }, () => aCommand()).flatMap((command) => runEvents(command, [], aSummary(command)));
}

const sentBatches = () => bridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);

beforeEach(() => bridge.reset());

describe('publishing to EventBridge', () => {
  it('puts at most 10 entries per PutEvents call, in order, on the stage’s bus', async () => {
    bridge.on(PutEventsCommand).callsFake(({ Entries }: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 0,
      Entries: Entries.map((_, i) => ({ EventId: `id-${i}` })),
    }));
    const events = completions(23);

    await new EventBridgePublisher(client, 'ops-bus', { sleep: noSleep }).publish(events);

    const batches = sentBatches();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    const sent = batches.flat();
    expect(sent.map((e) => JSON.parse(e.Detail ?? '{}').commandId)).toEqual(events.map((e) => e.detail.commandId));
    for (const entry of sent) {
      expect(entry).toMatchObject({ EventBusName: 'ops-bus', Source: 'migration-pauser', DetailType: 'Command Completed' });
    }
  });

  it('sends again only the entries the bus refused, and succeeds when they get through', async () => {
    bridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'c' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    const events = completions(3);

    await new EventBridgePublisher(client, 'ops-bus', { sleep: noSleep }).publish(events);

    const batches = sentBatches();
    expect(batches).toHaveLength(2);
    expect(batches[1]?.map((e) => JSON.parse(e.Detail ?? '{}').commandId)).toEqual([events[1]?.detail.commandId]);
  });

  it('tries every batch even when one keeps failing, then says how many events were not published and why', async () => {
    bridge
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }, { EventId: 'y' }] });

    const error = await new EventBridgePublisher(client, 'ops-bus', { sleep: noSleep })
      .publish(completions(12))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventsNotPublishedError);
    expect(error).toMatchObject({ failed: 10, total: 12, errorCodes: ['AccessDeniedException'] });
    // Three attempts at the first batch, one at the second.
    expect(sentBatches().map((b) => b.length)).toEqual([10, 10, 10, 2]);
  });
});

describe('Target Failed events and PutEvents limits', () => {
  it('batches failed targets, at most FAILED_TARGETS_PER_EVENT per event, each event under 256 KB', () => {
    const command = aCommand();
    const failed = Array.from({ length: 250 }, (_, i) =>
      anOutcome({
        target: aTarget({ taskId: `task-${i}`, name: `task-${i}` }),
        outcome: 'failed',
        errorClass: 'retryable',
        reason: 'x'.repeat(5000),
      }),
    );

    const events = runEvents(command, [...failed, anOutcome({ outcome: 'paused' })], aSummary(command));

    expect(events.map((e) => e.detailType)).toEqual(['Target Failed', 'Target Failed', 'Target Failed', 'Command Completed']);
    const perEvent = events.flatMap((e) => (e.detailType === 'Target Failed' ? [e.detail.failed.length] : []));
    expect(perEvent).toEqual([FAILED_TARGETS_PER_EVENT, FAILED_TARGETS_PER_EVENT, 50]);
    for (const event of events) {
      const size = entrySize({ Source: 'migration-pauser', DetailType: event.detailType, Detail: JSON.stringify(event.detail) });
      expect(size).toBeLessThan(MAX_BYTES_PER_CALL);
    }
  });

  it('starts a new Target Failed event before one would pass 256 KB, whatever the targets’ names and reasons hold', () => {
    const command = aCommand();
    // Control characters are escaped six bytes to one in JSON: 100 such targets would be far over the limit.
    const failed = Array.from({ length: 100 }, (_, i) =>
      anOutcome({
        target: aTarget({ taskId: `task-${i}`, name: '\u0001'.repeat(300) }),
        outcome: 'failed',
        reason: '\u0002'.repeat(1000),
      }),
    );

    const events = runEvents(command, failed);

    expect(events.length).toBeGreaterThan(1);
    expect(events.flatMap((e) => (e.detailType === 'Target Failed' ? e.detail.failed : []))).toHaveLength(100);
    for (const event of events) {
      const size = entrySize({ Source: 'migration-pauser', DetailType: event.detailType, Detail: JSON.stringify(event.detail) });
      expect(size).toBeLessThan(MAX_BYTES_PER_CALL);
    }
  });

  it('keeps each PutEvents call within 256 KB, and sets aside an entry too large to ever send', () => {
    const entry = (kb: number): PutEventsRequestEntry => ({ Source: 's', DetailType: 'd', Detail: 'x'.repeat(kb * 1024) });

    const { batches, oversized } = batchEntries([entry(100), entry(100), entry(100), entry(300), entry(1)]);

    expect(batches.map((b) => b.length)).toEqual([2, 2]);
    for (const batch of batches) expect(batch.reduce((n, e) => n + entrySize(e), 0)).toBeLessThanOrEqual(MAX_BYTES_PER_CALL);
    expect(oversized).toHaveLength(1);
  });
});
