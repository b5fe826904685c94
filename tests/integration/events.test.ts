import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventsNotPublishedError } from '../../lib/core/errors';
import { EVENT_DETAIL_SCHEMAS } from '../../lib/core/event-schema';
import type { EventPublisher, PauserEvent } from '../../lib/core/events';
import { skipCommand } from '../../lib/core/skip';
import { skippedFire, windowCommand } from '../../lib/core/window';
import { FileEventPublisher } from '../../lib/local/events-file';
import { actionRequests, startFleet } from '../helpers/fleet';
import { DRS_MAIN, drsJob, drsJobId, NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mp-events-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scenario = () => ({
  accounts: [NCP_MAIN, DRS_MAIN],
  tasks: [
    ncpPolicy('photos', 'STARTED'),
    drsJob(1, 'orders-db', 'INCRE_TRANSFER_STARTED'),
    drsJob(2, 'users-db', 'FULL_TRANSFER_STARTED'),
  ],
});

/** The events written to `path`, each checked against its published detail schema. */
async function eventsIn(path: string): Promise<{ source: string; 'detail-type': string; detail: Record<string, unknown> }[]> {
  const text = await readFile(path, 'utf8');
  const events = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  for (const event of events) {
    const schema = EVENT_DETAIL_SCHEMAS[event['detail-type'] as keyof typeof EVENT_DETAIL_SCHEMAS];
    expect(schema, String(event['detail-type'])).toBeDefined();
    expect(schema.safeParse(event.detail).error).toBeUndefined();
  }
  return events;
}

/** The file publisher as a run's events; a failed publish fails the test. */
function fileEvents(path: string) {
  return {
    events: {
      publisher: new FileEventPublisher(path),
      onFailure: (error: unknown) => {
        throw error;
      },
    },
  };
}

describe('events of a run, written to an events file', () => {
  it('tells of a failed target and of the completed command, with its id, action, source, reason and summary', async () => {
    const s = scenario();
    const refused = s.tasks.find((t) => t.id === drsJobId(2));
    if (refused) refused.failsAction = { code: 'DRS.10000011', message: 'job is busy' };
    const fleet = await startFleet(s);
    const path = join(dir, 'events.jsonl');

    const { summary } = await fleet.run(
      { action: 'pause', source: 'INC-42', reason: 'INC-42: source DB overloaded' },
      fileEvents(path),
    );

    const events = await eventsIn(path);
    expect(events.map((e) => e['detail-type'])).toEqual(['Target Failed', 'Command Completed']);
    for (const e of events) {
      expect(e.source).toBe('migration-pauser');
      expect(e.detail).toMatchObject({
        version: 1,
        commandId: summary.commandId,
        action: 'pause',
        source: 'INC-42',
        reason: 'INC-42: source DB overloaded',
      });
    }
    expect(events[0]?.detail.failed).toEqual([
      expect.objectContaining({
        target: expect.objectContaining({ provider: 'huawei-drs', taskId: drsJobId(2), name: 'users-db' }),
        errorClass: expect.any(String),
        providerCode: 'DRS.10000011',
      }),
    ]);
    expect(events[1]?.detail.summary).toEqual(summary);
    expect(summary.totals).toMatchObject({ paused: 2, failed: 1 });
  });

  it('tells of a completed command with no failure as Command Completed alone, and of a dry run nothing', async () => {
    const fleet = await startFleet(scenario());
    const path = join(dir, 'events.jsonl');

    await fleet.run({ action: 'pause', dryRun: true }, fileEvents(path));
    await fleet.run({ action: 'pause' }, fileEvents(path));

    expect((await eventsIn(path)).map((e) => e['detail-type'])).toEqual(['Command Completed']);
  });

  it('does not fail the command or lose its outcomes when the events cannot be published', async () => {
    const fleet = await startFleet(scenario());
    const reported: unknown[] = [];
    const refusing: EventPublisher = {
      publish: async (events: readonly PauserEvent[]) => {
        throw new EventsNotPublishedError(events.length, events.length, ['AccessDeniedException']);
      },
    };

    const { summary } = await fleet.run(
      { action: 'pause' },
      { events: { publisher: refusing, onFailure: (error) => reported.push(error) } },
    );

    expect(summary.totals).toEqual({ paused: 3 });
    expect(await fleet.ledger.outcomesOf(summary.commandId)).toHaveLength(3);
    expect(reported).toEqual([expect.any(EventsNotPublishedError)]);
  });
});

describe('a window pause on a blackout date', () => {
  const fire = {
    window: 'weekday-business-hours',
    action: 'pause',
    scope: { all: true },
    reason: 'business hours',
    timezone: 'Asia/Seoul',
    except: ['2026-12-25', { from: '2026-12-31', to: '2027-01-02', note: 'year end' }],
    // 09:00 on 2026-12-25 in Seoul.
    scheduledTime: '2026-12-25T00:00:00Z',
    scheduleArn: 'arn:aws:scheduler:ap-northeast-2:000000000000:schedule/g/weekday-business-hours-pause',
  };

  it('pauses nothing, records each task as skipped under the fire’s command id, and tells of it', async () => {
    const fleet = await startFleet(scenario());
    const path = join(dir, 'events.jsonl');
    const skipped = skippedFire(fire);
    if (!skipped) throw new Error('the fire should be skipped');

    const result = await skipCommand(windowCommand(fire), skipped, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      ...fileEvents(path),
    });

    expect(actionRequests(fleet.sim)).toEqual([]);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
    const history = await fleet.ledger.history({ commandId: windowCommand(fire).commandId });
    expect(history.map((h) => [h.outcome.target.name, h.outcome.outcome, h.outcome.reason]).sort()).toEqual(
      ['orders-db', 'photos', 'users-db'].map((name) => [
        name,
        'skipped',
        'window weekday-business-hours does not fire on 2026-12-25 (blackout 2026-12-25)',
      ]),
    );
    expect(result.summary.totals).toEqual({ skipped: 3 });
    const events = await eventsIn(path);
    expect(events).toEqual([
      expect.objectContaining({
        'detail-type': 'Window Skipped',
        detail: expect.objectContaining({
          commandId: windowCommand(fire).commandId,
          window: 'weekday-business-hours',
          localDate: '2026-12-25',
          blackout: '2026-12-25',
          source: 'window:weekday-business-hours',
        }),
      }),
    ]);
  });

  it('is judged by the date in the window’s zone: 2026-12-24T15:00Z is already the 25th in Seoul', () => {
    expect(skippedFire({ ...fire, scheduledTime: '2026-12-24T15:00:00Z' })).toMatchObject({ localDate: '2026-12-25' });
    expect(skippedFire({ ...fire, scheduledTime: '2026-12-24T14:59:00Z' })).toBeUndefined();
    expect(skippedFire({ ...fire, scheduledTime: '2027-01-01T00:00:00Z' })).toMatchObject({
      blackout: '2026-12-31..2027-01-02 (year end)',
    });
  });

  it('never skips the resume: it releases only the window’s own holds, which must not outlast the holiday', () => {
    expect(skippedFire({ ...fire, action: 'resume' })).toBeUndefined();
  });
});
