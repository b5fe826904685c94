import type { TaskPhase } from '../types';

/**
 * NCP `jobState` → phase (providers.md §1). Transitions are not documented; we assume
 * STARTED →pause→ PAUSED →start→ STARTED.
 */
const NCP_PHASES: Readonly<Record<string, TaskPhase>> = {
  STARTED: 'running',
  PAUSED: 'paused',
  INITIALIZED: 'waiting',
  DONE: 'finished',
  DELETED: 'finished',
  ERROR: 'failed',
};

/** The pipeline's phase for a jobState as sent on the wire; anything unknown is never acted on. */
export function ncpPhase(jobState: string): TaskPhase {
  return Object.hasOwn(NCP_PHASES, jobState) ? (NCP_PHASES[jobState] ?? 'other') : 'other';
}
