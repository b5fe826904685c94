import type { TaskPhase } from '../types';

/**
 * OMS task status codes (providers.md §2): 1 waiting, 2 migrating, 3 paused, 4 failed, 5 succeeded,
 * 7 pausing; 0 is "initializing" on tasks created by older versions of the service.
 */
const OMS_PHASES: Readonly<Record<string, TaskPhase>> = {
  '0': 'waiting',
  '1': 'waiting',
  '2': 'running',
  '3': 'paused',
  '4': 'failed',
  '5': 'finished',
  '7': 'pausing',
};

/** The pipeline's phase for an OMS status as sent on the wire (a number, kept as its decimal string). */
export function omsPhase(status: string): TaskPhase {
  return OMS_PHASES[status] ?? 'other';
}
