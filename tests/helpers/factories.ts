import type { Command, CommandInput } from '../../lib/core/command';
import { parseCommand } from '../../lib/core/command';
import type { PauseRecord } from '../../lib/core/ledger';
import { type Target, type TargetOutcome, targetKey } from '../../lib/core/types';
import type { ProviderTask } from '../../lib/providers/types';

export function aCommand(overrides: Partial<CommandInput> = {}): Command {
  return parseCommand({ action: 'pause', scope: { all: true }, reason: 'test', requestedBy: 'tests', ...overrides });
}

export function aTask(overrides: Partial<ProviderTask> = {}): ProviderTask {
  return {
    provider: 'ncp-object-migration',
    account: 'ncp-main',
    taskId: 'policy-1',
    name: 'policy-1',
    state: 'STARTED',
    phase: 'running',
    ...overrides,
  };
}

export function aTarget(overrides: Partial<Target> = {}): Target {
  return {
    provider: 'ncp-object-migration',
    account: 'ncp-main',
    taskId: 'policy-1',
    name: 'policy-1',
    stateBefore: 'STARTED',
    phaseBefore: 'running',
    ...overrides,
  };
}

export function aPauseRecord(target: Target = aTarget(), overrides: Partial<PauseRecord> = {}): PauseRecord {
  return {
    key: targetKey(target),
    target,
    source: 'manual',
    commandId: '00000000-0000-4000-8000-000000000001',
    reason: 'test',
    requestedBy: 'tests',
    pausedAt: '2026-11-28T00:00:00.000Z',
    ...overrides,
  };
}

export function anOutcome(overrides: Partial<TargetOutcome> = {}): TargetOutcome {
  return {
    target: aTarget(),
    outcome: 'paused',
    attempts: 1,
    startedAt: '2026-11-28T00:00:00.000Z',
    finishedAt: '2026-11-28T00:00:01.000Z',
    ...overrides,
  };
}
