import type { TaskPhase } from '../types';

/**
 * DMS replication task `Status` → phase (DMS API reference, ReplicationTask.Status). `stopped` alone says too
 * little: its `StopReason` tells a task someone stopped (resumable) from one that finished or failed.
 */
const DMS_PHASES: Readonly<Record<string, TaskPhase>> = {
  running: 'running',
  stopping: 'pausing',
  stopped: 'paused',
  // Created and never started, or on its way to running: not pausable yet, and not ours to resume.
  ready: 'waiting',
  creating: 'waiting',
  starting: 'waiting',
  failed: 'failed',
  'failed-move': 'failed',
  deleting: 'finished',
  // Being changed by someone (or moved to another replication instance, or its endpoints tested): never acted on.
  modifying: 'other',
  moving: 'other',
  testing: 'other',
};

/** Stop reasons after which a stopped task is done, not paused (DMS API reference, ReplicationTask.StopReason). */
const FINISHED_STOP_REASONS = ['FULL_LOAD_ONLY_FINISHED'];
/** Stop reasons after which a stopped task failed: resuming it is a person's decision, not a schedule's. */
const FAILED_STOP_REASONS = ['FATAL_ERROR', 'RECOVERABLE_ERROR'];

/** The pipeline's phase of a task's status and stop reason as DMS sends them; anything unknown is never acted on. */
export function dmsPhase(status: string, stopReason?: string): TaskPhase {
  const phase = Object.hasOwn(DMS_PHASES, status) ? (DMS_PHASES[status] ?? 'other') : 'other';
  if (phase !== 'paused' || stopReason === undefined) return phase;
  // Sent as `Stop Reason FULL_LOAD_ONLY_FINISHED`; the bare token is accepted too.
  const reason = stopReason
    .replace(/^Stop Reason\s+/i, '')
    .trim()
    .toUpperCase();
  if (FINISHED_STOP_REASONS.includes(reason)) return 'finished';
  if (FAILED_STOP_REASONS.includes(reason)) return 'failed';
  return 'paused';
}
