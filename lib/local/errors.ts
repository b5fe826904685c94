import { hostname } from 'node:os';
import { MigrationPauserError } from '../core/errors';

/** Who holds a state directory's ledger lock. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO 8601). */
  since: string;
}

/** Another process held the state directory's ledger for longer than we were willing to wait. */
export class LedgerLockedError extends MigrationPauserError {
  override name = 'LedgerLockedError';
  readonly pid: number;

  constructor(
    readonly directory: string,
    readonly holder: LockHolder,
    readonly waitedMs: number,
  ) {
    super(
      `the ledger in ${directory} is held by pid ${holder.pid}${holder.hostname ? ` on ${holder.hostname}` : ''} since ${holder.since}; gave up after ${Math.round(waitedMs / 1000)} s${
        holder.hostname && holder.hostname !== hostname()
          ? ` (a lock of another host is never taken over: if that run is gone, delete ${directory}/ledger.lock)`
          : ''
      }`,
    );
    this.pid = holder.pid;
  }
}
