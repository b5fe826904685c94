import type { TaskPhase } from '../types';

/**
 * DCS migration statuses (providers.md §4). `INCRMIGEATING` (sic) is how the live incremental state is spelled
 * on the wire; the corrected spelling is accepted too in case the service ever fixes it.
 */
const DCS_PHASES: Readonly<Record<string, TaskPhase>> = {
  MIGRATING: 'running',
  FULLMIGRATING: 'running',
  INCRMIGEATING: 'running',
  INCRMIGRATING: 'running',
  TERMINATING: 'pausing',
  TERMINATED: 'paused',
  SUCCESS: 'finished',
  RELEASED: 'finished',
  FAILED: 'failed',
  MIGRATION_FAILED: 'failed',
  RUNNING: 'waiting', // "pending configuration", despite the name
};

export function dcsPhase(status: string): TaskPhase {
  return DCS_PHASES[status] ?? 'other';
}

/** DCS restarts online migrations only (batch-restart); a backup-file import can be stopped, never restarted. */
export const BACKUPFILE_IMPORT_UNSUPPORTED = 'DCS restarts online migrations only; backupfile_import cannot be restarted';
