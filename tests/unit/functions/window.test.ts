import { describe, expect, it, vi } from 'vitest';
import { createWindowHandler } from '../../../functions/window';
import { CommandValidationError, EventsNotPublishedError } from '../../../lib/core/errors';
import type { EventPublisher, PauserEvent } from '../../../lib/core/events';
import { deterministicUuid, windowCommand, windowCommandId } from '../../../lib/core/window';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { fakeRuntime, lambdaContext, quietObservability } from './support';

const ARN = 'arn:aws:scheduler:ap-northeast-2:000000000000:schedule/default/migration-pauser-dev-pause-weekdays';

function aFire(overrides: Record<string, unknown> = {}) {
  return {
    window: 'weekday-business-hours',
    action: 'pause',
    scope: { all: true },
    reason: 'business hours: keep the source databases quiet',
    scheduledTime: '2026-11-30T00:00:00Z',
    scheduleArn: ARN,
    ...overrides,
  };
}

describe('the command of a window fire', () => {
  it('has the same id when the same fire is delivered twice', () => {
    expect(windowCommand(aFire()).commandId).toBe(windowCommand(aFire()).commandId);
  });

  it('has another id for another scheduled time of the same schedule', () => {
    const monday = windowCommand(aFire()).commandId;
    const tuesday = windowCommand(aFire({ scheduledTime: '2026-12-01T00:00:00Z' })).commandId;
    expect(tuesday).not.toBe(monday);
  });

  it('has another id for another schedule at the same time', () => {
    const other = windowCommand(aFire({ scheduleArn: `${ARN}-2` })).commandId;
    expect(other).not.toBe(windowCommand(aFire()).commandId);
  });

  it('treats the same instant written with another offset as the same fire', () => {
    expect(windowCommandId(ARN, '2026-11-30T09:00:00+09:00')).toBe(windowCommandId(ARN, '2026-11-30T00:00:00Z'));
  });

  it('is a valid version-5 UUID', () => {
    expect(windowCommand(aFire()).commandId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('matches the RFC 9562 version-5 example (DNS namespace, www.example.com)', () => {
    expect(deterministicUuid('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('is requested by the window and carries its action, scope and reason', () => {
    const command = windowCommand(aFire({ action: 'resume', scope: { providers: ['huawei-drs'] } }));
    expect(command).toMatchObject({
      action: 'resume',
      scope: { providers: ['huawei-drs'] },
      reason: 'business hours: keep the source databases quiet',
      requestedBy: 'schedule:weekday-business-hours',
      dryRun: false,
    });
  });

  it('names every bad field of an invalid schedule input', () => {
    let error: unknown;
    try {
      windowCommand(aFire({ action: 'stop', scheduledTime: '<aws.scheduler.scheduled-time>', reason: '' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CommandValidationError);
    expect((error as CommandValidationError).issues.map((i) => i.path).sort()).toEqual(['action', 'reason', 'scheduledTime']);
  });
});

describe('the window function', () => {
  it('runs the fire as a command and returns its summary', async () => {
    const handler = createWindowHandler({ runtime: async () => fakeRuntime(), observability: quietObservability() });

    const summary = await handler(aFire(), lambdaContext);

    expect(summary).toMatchObject({ commandId: windowCommandId(ARN, '2026-11-30T00:00:00Z'), action: 'pause', targets: 0 });
  });

  it('rejects an invalid input and records it on the failures queue', async () => {
    const failures = new MemoryFailureSink();
    const handler = createWindowHandler({ runtime: async () => fakeRuntime({ failures }), observability: quietObservability() });

    await expect(handler(aFire({ action: 'stop' }), lambdaContext)).rejects.toBeInstanceOf(CommandValidationError);
    expect(failures.messages).toEqual([
      expect.objectContaining({ kind: 'invalid-command', issues: [expect.objectContaining({ path: 'action' })] }),
    ]);
  });
});

describe('the window function on a blackout date', () => {
  const christmas = aFire({ timezone: 'Asia/Seoul', except: ['2026-12-25'], scheduledTime: '2026-12-25T00:00:00Z' });

  /** Quiet observability whose metric names are counted. */
  function observed() {
    const observability = quietObservability();
    const counted: string[] = [];
    const { metrics } = observability;
    vi.spyOn(metrics, 'addMetric').mockImplementation((name) => {
      counted.push(name);
      return metrics;
    });
    return { observability, counted };
  }

  it('skips the pause, counts window-skipped instead of window-fired, and sends Window Skipped', async () => {
    const { observability, counted } = observed();
    const sent: PauserEvent[] = [];
    const events: EventPublisher = { publish: async (e) => void sent.push(...e) };
    const handler = createWindowHandler({ runtime: async () => ({ ...fakeRuntime(), events }), observability });

    const summary = await handler(christmas, lambdaContext);

    expect(summary).toMatchObject({ commandId: windowCommandId(ARN, '2026-12-25T00:00:00Z'), action: 'pause' });
    expect(counted).toContain('window-skipped');
    expect(counted).not.toContain('window-fired');
    expect(sent).toEqual([
      expect.objectContaining({ detailType: 'Window Skipped', detail: expect.objectContaining({ localDate: '2026-12-25' }) }),
    ]);
  });

  it('fires on the day before, judged in the window’s zone', async () => {
    const { observability, counted } = observed();
    const handler = createWindowHandler({ runtime: async () => fakeRuntime(), observability });

    await handler({ ...christmas, scheduledTime: '2026-12-24T00:00:00Z' }, lambdaContext);

    expect(counted).toContain('window-fired');
    expect(counted).not.toContain('window-skipped');
  });

  it('still answers with the summary when the event bus refuses, and counts events-failed', async () => {
    const { observability, counted } = observed();
    const refusing: EventPublisher = {
      publish: async (e) => {
        throw new EventsNotPublishedError(e.length, e.length, ['AccessDeniedException']);
      },
    };
    const handler = createWindowHandler({ runtime: async () => ({ ...fakeRuntime(), events: refusing }), observability });

    const summary = await handler(aFire(), lambdaContext);

    expect(summary).toMatchObject({ commandId: windowCommandId(ARN, '2026-11-30T00:00:00Z') });
    expect(counted).toEqual(expect.arrayContaining(['window-fired', 'events-failed']));
  });
});
