import type { ProviderTask } from '../providers/types';
import type { ProviderError } from './errors';
import { holdStatus, type PauseRecord } from './ledger';
import type { Decision } from './types';

/**
 * What a pause does to a task, given its live state and whether one of our sources holds it already. Pure. A task
 * paused under a hold of ours gets this command's hold too (an incident pause on top of the window's); one paused
 * by someone else gets none, so we never resume it.
 */
export function decidePause(task: ProviderTask, heldByUs = false, allowIrreversible = false): Decision {
  switch (task.phase) {
    case 'running':
      if (task.resumeUnsupportedReason && !allowIrreversible) return irreversiblePause(task.resumeUnsupportedReason);
      return { kind: 'act', task };
    case 'paused':
    case 'pausing': {
      const reason = `already ${task.phase} (${task.state})`;
      return heldByUs ? { kind: 'hold', task, reason } : { kind: 'settled', outcome: 'already-paused', reason };
    }
    default:
      return { kind: 'settled', outcome: 'skipped', reason: `not in a pausable state (${task.state})` };
  }
}

/** A pause that could never be undone is not made unless the command allows it. */
export function irreversiblePause(resumeUnsupportedReason: string): Extract<Decision, { kind: 'settled' }> {
  return {
    kind: 'settled',
    outcome: 'unsupported',
    reason: `not paused: it could never be resumed (${resumeUnsupportedReason}); allow irreversible stops to pause it anyway`,
  };
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
      if (holdStatus(record) === 'pending') {
        return {
          kind: 'settled',
          outcome: 'skipped',
          reason: `the pause of command ${record.commandId} never took effect (${live.state}); its hold is removed`,
          release: 'own',
        };
      }
      return {
        kind: 'settled',
        outcome: 'already-running',
        reason: `resumed outside this system (${live.state})`,
        release: 'all',
      };
    case 'finished':
      return { kind: 'settled', outcome: 'skipped', reason: `finished while paused (${live.state})`, release: 'all' };
    default:
      return { kind: 'settled', outcome: 'skipped', reason: `in state ${live.state} since ${record.pausedAt}; not resuming` };
  }
}

/** Which holds a resume decision ends: all of them, only the command's own source's, or none. */
export function releasesHold(decision: Decision): 'all' | 'own' | 'none' {
  return decision.kind === 'settled' ? (decision.release ?? 'none') : 'none';
}

/** A target we hold for other sources too: this resume lifts only its own hold, and the task stays paused. */
export function decideStillHeld(otherSources: readonly string[]): Decision {
  return {
    kind: 'settled',
    outcome: 'skipped',
    reason: `still held paused by ${otherSources.join(', ')}; resume there, or force`,
    release: 'own',
  };
}
