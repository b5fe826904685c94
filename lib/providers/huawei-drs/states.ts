import type { TaskPhase } from '../types';

/** DRS v3 job states that batch-pause-task accepts (the seed page's constraint list). */
export const DRS_PAUSABLE_STATES: ReadonlySet<string> = new Set([
  'FULL_TRANSFER_STARTED',
  'FULL_TRANSFER_FAILED',
  'FULL_TRANSFER_COMPLETE',
  'INCRE_TRANSFER_STARTED',
  'INCRE_TRANSFER_FAILED',
]);

/** DRS has no PAUSED: a paused job stays in PAUSING until batch-retry-task resumes it. */
export const DRS_PAUSED_STATE = 'PAUSING';

/**
 * Maps a DRS job status onto the pipeline's phases. The pausable list is checked first: FULL_TRANSFER_FAILED
 * and INCRE_TRANSFER_FAILED end in _FAILED but can still be paused, so they are `running` here.
 */
export function drsPhase(status: string): TaskPhase {
  if (DRS_PAUSABLE_STATES.has(status)) return 'running';
  if (status === DRS_PAUSED_STATE) return 'paused';
  if (status.endsWith('_FAILED')) return 'failed';
  if (status.startsWith('RELEASE_RESOURCE_') || status === 'DELETED') return 'finished';
  return 'other';
}
