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

  it('repeats the original command: its reason, its options, and says who asked', () => {
    const command = aCommand({
      commandId: '00000000-0000-4000-8000-000000000103',
      reason: 'INC-9',
      options: { pauseMode: 'all' },
    });
    const [first] = planRedrive([aFailure('m1', command)], {}).commands;

    expect(first?.command.reason).toBe('redrive of 00000000-0000-4000-8000-000000000103: INC-9');
    expect(first?.command.options.pauseMode).toBe('all');
    expect(first?.command.requestedBy).toBe('redrive');
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
