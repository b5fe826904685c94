import { describe, expect, it } from 'vitest';
import { targetFailure } from '../../../lib/core/failures';
import { MAX_REDRIVE_TASK_IDS, planRedrive, type ReceivedFailure } from '../../../lib/core/redrive';
import { aCommand, anOutcome, aTarget } from '../../helpers/factories';

const INCIDENT = aCommand({ commandId: '00000000-0000-4000-8000-000000000101', reason: 'INC-7: replication lag' });
const WINDOW = aCommand({ commandId: '00000000-0000-4000-8000-000000000102', action: 'resume', reason: 'evening' });

function aFailure(id: string, command = INCIDENT, target = aTarget()): ReceivedFailure {
  return {
    id,
    body: JSON.stringify(
      targetFailure(command, anOutcome({ target, outcome: 'failed', errorClass: 'invalid-state', reason: 'job is busy' })),
    ),
  };
}

describe('grouping failures into redrive commands', () => {
  it('makes one command per original command and account, scoped to the failed task ids', () => {
    const messages = [
      aFailure('m1', INCIDENT, aTarget({ taskId: 'photos' })),
      aFailure('m2', INCIDENT, aTarget({ taskId: 'logs' })),
      aFailure('m3', INCIDENT, aTarget({ provider: 'huawei-drs', account: 'drs-main', taskId: 'job-1' })),
      aFailure('m4', WINDOW, aTarget({ taskId: 'photos' })),
    ];

    const { commands, keptIds } = planRedrive(messages, {});

    expect(keptIds).toEqual([]);
    expect(commands.map((c) => ({ scope: c.command.scope, action: c.command.action, sources: c.sourceIds }))).toEqual([
      { scope: { accounts: ['ncp-main'], taskIds: ['logs', 'photos'] }, action: 'pause', sources: ['m1', 'm2'] },
      { scope: { accounts: ['drs-main'], taskIds: ['job-1'] }, action: 'pause', sources: ['m3'] },
      { scope: { accounts: ['ncp-main'], taskIds: ['photos'] }, action: 'resume', sources: ['m4'] },
    ]);
  });

  it('repeats the original command: its reason, options, source, until and requester, and names the redriver', () => {
    const command = aCommand({
      commandId: '00000000-0000-4000-8000-000000000103',
      reason: 'INC-9',
      options: { 'huawei-drs': { pauseMode: 'all' } },
      source: 'INC-9',
      until: '2026-11-28T15:00:00+09:00',
      requestedBy: 'oncall-lee',
    });
    const [first] = planRedrive([aFailure('m1', command)], { requestedBy: 'oncall-kim' }).commands;

    expect(first?.command).toMatchObject({
      action: 'pause',
      reason: 'redrive of 00000000-0000-4000-8000-000000000103: INC-9',
      options: { 'huawei-drs': { pauseMode: 'all' } },
      source: 'INC-9',
      until: '2026-11-28T15:00:00+09:00',
      requestedBy: 'oncall-lee',
      redrive: { of: '00000000-0000-4000-8000-000000000103', by: 'oncall-kim' },
    });
  });

  it('redrives a window’s resume as that window’s resume, so it releases the window’s holds', () => {
    const resume = aCommand({ action: 'resume', reason: 'evening', source: 'window:business-hours' });

    const [first] = planRedrive([aFailure('m1', resume)], {}).commands;

    expect(first?.command).toMatchObject({ action: 'resume', source: 'window:business-hours' });
    expect(first?.command.redrive).toEqual({ of: resume.commandId, by: 'redrive' });
  });

  it('never merges failures of one command that differ in source or until', () => {
    const id = '00000000-0000-4000-8000-000000000104';
    const incident = aCommand({ commandId: id, source: 'INC-1' });
    const change = aCommand({ commandId: id, source: 'CHG-2' });
    const twoHours = aCommand({ commandId: id, source: 'INC-1', until: '2026-11-28T15:00:00+09:00' });
    const messages = [
      aFailure('m1', incident, aTarget({ taskId: 'photos' })),
      aFailure('m2', change, aTarget({ taskId: 'logs' })),
      aFailure('m3', twoHours, aTarget({ taskId: 'videos' })),
      aFailure('m4', incident, aTarget({ taskId: 'backups' })),
    ];

    const { commands } = planRedrive(messages, {});

    expect(commands.map((c) => [c.command.source, c.command.until, c.command.scope.taskIds, c.sourceIds])).toEqual([
      ['INC-1', undefined, ['backups', 'photos'], ['m1', 'm4']],
      ['CHG-2', undefined, ['logs'], ['m2']],
      ['INC-1', '2026-11-28T15:00:00+09:00', ['videos'], ['m3']],
    ]);
    expect(new Set(commands.map((c) => c.command.commandId)).size).toBe(3);
  });

  it('redrives a failure written before failures carried the source as before: the default source', () => {
    const { source: _source, ...old } = JSON.parse(aFailure('m1', aCommand({ source: 'INC-3' })).body) as Record<string, unknown>;

    const [first] = planRedrive([{ id: 'm1', body: JSON.stringify(old) }], {}).commands;

    expect(first?.command.source).toBe('manual');
    expect(first?.command.requestedBy).toBe('tests');
  });

  it('keeps a failure whose source or until no command could carry, instead of failing the whole redrive', () => {
    const good = aFailure('m1');
    const body = JSON.parse(aFailure('m2').body) as Record<string, unknown>;
    const messages = [
      good,
      { id: 'm2', body: JSON.stringify({ ...body, source: 'not a source!' }) },
      { id: 'm3', body: JSON.stringify({ ...body, action: 'resume', until: '2026-11-28T15:00:00+09:00' }) },
    ];

    const plan = planRedrive(messages, {});

    expect(plan.commands.flatMap((c) => c.sourceIds)).toEqual(['m1']);
    expect(plan.keptIds).toEqual(['m2', 'm3']);
  });

  it('keeps the failures of other commands and providers when filtered', () => {
    const messages = [
      aFailure('m1', INCIDENT),
      aFailure('m2', WINDOW),
      aFailure('m3', INCIDENT, aTarget({ provider: 'huawei-drs', account: 'drs-main', taskId: 'job-1' })),
    ];

    const plan = planRedrive(messages, { commandId: INCIDENT.commandId, provider: 'ncp-object-migration' });

    expect(plan.commands.flatMap((c) => c.sourceIds)).toEqual(['m1']);
    expect(plan.keptIds).toEqual(['m2', 'm3']);
  });

  it('keeps account failures, invalid commands and unreadable bodies where they are', () => {
    const messages: ReceivedFailure[] = [
      {
        id: 'm1',
        body: JSON.stringify({ kind: 'invalid-command', issues: [], received: '{', failedAt: '2026-11-28T00:00:00Z' }),
      },
      { id: 'm2', body: JSON.stringify({ kind: 'account-failed', commandId: INCIDENT.commandId, action: 'pause' }) },
      { id: 'm3', body: 'not json' },
    ];

    expect(planRedrive(messages, {})).toEqual({ commands: [], keptIds: ['m1', 'm2', 'm3'] });
  });

  it('gives the same commands the same ids when the same failures are planned twice', () => {
    const messages = [aFailure('m1'), aFailure('m2', INCIDENT, aTarget({ taskId: 'logs' }))];

    const ids = (plan: ReturnType<typeof planRedrive>) => plan.commands.map((c) => c.command.commandId);

    expect(ids(planRedrive(messages, {}))).toEqual(ids(planRedrive([...messages].reverse(), {})));
    expect(ids(planRedrive(messages, {}))[0]).not.toBe(INCIDENT.commandId);
  });

  it('counts a task that failed twice once, and moves both messages', () => {
    const plan = planRedrive([aFailure('m1'), aFailure('m2')], {});

    expect(plan.commands).toHaveLength(1);
    expect(plan.commands[0]?.command.scope.taskIds).toEqual(['policy-1']);
    expect(plan.commands[0]?.sourceIds).toEqual(['m1', 'm2']);
  });

  it('splits a very large group so every command stays small, each with its own sources', () => {
    const count = MAX_REDRIVE_TASK_IDS + 5;
    const messages = Array.from({ length: count }, (_, i) =>
      aFailure(`m${i}`, INCIDENT, aTarget({ taskId: `task-${String(i).padStart(5, '0')}` })),
    );

    const { commands } = planRedrive(messages, {});

    expect(commands.map((c) => c.command.scope.taskIds?.length)).toEqual([MAX_REDRIVE_TASK_IDS, 5]);
    expect(commands.map((c) => c.sourceIds.length)).toEqual([MAX_REDRIVE_TASK_IDS, 5]);
    expect(new Set(commands.flatMap((c) => c.sourceIds)).size).toBe(count);
  });
});
