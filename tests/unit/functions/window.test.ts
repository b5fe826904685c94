import { describe, expect, it } from 'vitest';
import { createWindowHandler } from '../../../functions/window';
import { CommandValidationError } from '../../../lib/core/errors';
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
