import type { ProviderTask } from '../providers/types';
import type { ProviderError } from './errors';
import type { PauseRecord } from './ledger';
import type { Decision } from './types';

/** What a pause does to a task, given its live state. Pure. */
export function decidePause(task: ProviderTask): Decision {
  switch (task.phase) {
    case 'running':
      return { kind: 'act', task };
    case 'paused':
    case 'pausing':
      return { kind: 'settled', outcome: 'already-paused', reason: `already ${task.phase} (${task.state})` };
    default:
      return { kind: 'settled', outcome: 'skipped', reason: `not in a pausable state (${task.state})` };
  }
}

/** What a resume does to a task we hold paused, given what the provider says now. Pure. */
export function decideResume(record: PauseRecord, live: ProviderTask | ProviderError): Decision {
  if (!('phase' in live)) {
    return {
      kind: 'settled',
      outcome: 'failed',
      reason: `cannot read task: ${live.message}`,
      errorClass: live.errorClass,
      providerCode: live.providerCode,
    };
  }
  switch (live.phase) {
    case 'paused':
      if (live.resumeUnsupportedReason) {
        return { kind: 'settled', outcome: 'unsupported', reason: live.resumeUnsupportedReason };
      }
      return { kind: 'act', task: live };
    case 'pausing':
      return {
        kind: 'settled',
        outcome: 'failed',
        reason: `still pausing (${live.state}); resume it once it is paused`,
        errorClass: 'retryable',
      };
    case 'running':
    case 'waiting':
      return { kind: 'settled', outcome: 'already-running', reason: `resumed outside this system (${live.state})` };
    case 'finished':
      return { kind: 'settled', outcome: 'skipped', reason: `finished while paused (${live.state})` };
    default:
      return { kind: 'settled', outcome: 'skipped', reason: `in state ${live.state} since ${record.pausedAt}; not resuming` };
  }
}

/** Outcomes after which we no longer hold the task paused. */
export function releasesHold(decision: Decision): boolean {
  return decision.kind === 'settled' && (decision.outcome === 'already-running' || /^finished/.test(decision.reason));
}
