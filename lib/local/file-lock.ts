import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread } from 'node:worker_threads';
import { LedgerLockedError, type LockHolder } from './errors';

export interface FileLockOptions {
  /** How long to wait for another holder (ms); default 60 s; `Infinity` waits for ever, 0 not at all. */
  waitMs?: number;
  /** How often to look again while waiting (ms, default 100). */
  pollMs?: number;
  /** Called once, when we start waiting for a live holder. */
  onWait?: (holder: LockHolder) => void;
}

interface LockContent extends LockHolder {
  /** Unique per acquisition: tells this lock from any later one at the same path. */
  token: string;
  /** The holder's start time in clock ticks since boot (Linux /proc): tells a live holder from a reused pid. */
  startTicks?: string;
}

interface SeenLock {
  content?: LockContent;
  /** The lock's identity: its token, or (unreadable) its inode and modification time. */
  id: string;
  mtimeMs: number;
}

/** A lock file whose writer may still be writing it (only with the no-hard-link fallback) counts as live this long. */
const UNREADABLE_GRACE_MS = 10_000;
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Lock path → the token of the lock this process holds there. */
const held = new Map<string, string>();

/**
 * An exclusive lock on one path, between processes of one host: a file created with a hard link from a complete
 * temporary file (so it never exists half-written), naming the holder's pid, host and start time. A lock whose
 * holder died (no such pid on this host, or the pid now belongs to another process) is stale and is taken over;
 * removing a stale lock is guarded by a takeover file per stale lock, so two processes finding it stale at once
 * cannot both remove it (and so cannot remove the lock one of them took after it). A holder on another host is
 * never judged stale. Released on close, and on exit and fatal signals where Node lets us.
 */
export class FileLock {
  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  static async acquire(path: string, directory: string, options: FileLockOptions = {}): Promise<FileLock> {
    const lockPath = resolve(path);
    const waitMs = options.waitMs ?? 60_000;
    const pollMs = options.pollMs ?? 100;
    const started = Date.now();
    let told = false;
    for (;;) {
      const token = tryCreate(lockPath);
      if (token) {
        held.set(lockPath, token);
        installExitHooks();
        removeLeftovers(lockPath, token);
        return new FileLock(lockPath, token);
      }
      const seen = readLock(lockPath);
      if (!seen) continue; // released between our attempt and the read: try again at once
      if (isStale(lockPath, seen)) {
        if (takeOver(lockPath, seen.id)) continue;
      } else {
        const holder = holderOf(seen);
        if (!told) {
          told = true;
          options.onWait?.(holder);
        }
        const waited = Date.now() - started;
        if (waited >= waitMs) throw new LedgerLockedError(directory, holder, waited);
      }
      await sleep(Math.max(1, Math.min(pollMs, waitMs - (Date.now() - started))));
    }
  }

  /** Whether this process still holds the lock. */
  get held(): boolean {
    return held.get(this.path) === this.token;
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (held.get(this.path) !== this.token) return;
    held.delete(this.path);
    unlinkIfToken(this.path, this.token);
  }
}

function holderOf(seen: SeenLock): LockHolder {
  return seen.content
    ? { pid: seen.content.pid, hostname: seen.content.hostname, since: seen.content.since }
    : { pid: 0, hostname: '', since: new Date(seen.mtimeMs).toISOString() };
}

function tryCreate(lockPath: string): string | undefined {
  const token = `${process.pid}-${randomUUID()}`;
  const content: LockContent = {
    pid: process.pid,
    hostname: osHostname(),
    since: new Date().toISOString(),
    token,
    ...(startTicksOf(process.pid) ? { startTicks: startTicksOf(process.pid) } : {}),
  };
  return createExclusive(lockPath, `${JSON.stringify(content)}\n`, token) ? token : undefined;
}

/** Creates `path` with `text` unless it exists; false when it does. The file appears complete (hard link). */
function createExclusive(path: string, text: string, token: string): boolean {
  const temp = `${path}.${token}.tmp`;
  writeDurably(temp, text, 'wx');
  try {
    linkSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!LINK_UNSUPPORTED.has(code)) throw error;
    // No hard links here (some network and FUSE file systems): create in place; readers give it a grace period.
    try {
      writeDurably(path, text, 'wx');
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    tryUnlink(temp);
  }
  syncDirectory(dirname(path));
  return true;
}

function writeDurably(path: string, text: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function readLock(lockPath: string): SeenLock | undefined {
  let fd: number;
  try {
    fd = openSync(lockPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    const content = parseContent(readFileSync(fd, 'utf8'));
    return { content, id: content?.token ?? `ino${stat.ino}-${Math.trunc(stat.mtimeMs)}`, mtimeMs: stat.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

function parseContent(text: string): LockContent | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return {
      pid: value.pid,
      hostname: typeof value.hostname === 'string' ? value.hostname : '',
      since: typeof value.since === 'string' ? value.since : '',
      token: value.token,
      ...(typeof value.startTicks === 'string' ? { startTicks: value.startTicks } : {}),
    };
  } catch {
    return undefined;
  }
}

function isStale(lockPath: string, seen: SeenLock): boolean {
  if (!seen.content) return Date.now() - seen.mtimeMs > UNREADABLE_GRACE_MS;
  return holderIsDead(seen.content, () => held.get(lockPath) === seen.content?.token);
}

/** Dead: on this host, and its pid is gone or belongs to another process now. `ours` answers for our own pid. */
function holderIsDead(holder: { pid: number; hostname: string; startTicks?: string }, ours: () => boolean): boolean {
  if (holder.hostname !== osHostname()) return false;
  if (holder.pid === process.pid) return !ours();
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const ticks = startTicksOf(holder.pid);
  return holder.startTicks !== undefined && ticks !== undefined && ticks !== holder.startTicks;
}

/**
 * Removes the stale lock `id`, unless another process is already doing it; true when the lock `id` is gone.
 * Only the creator of a takeover file for `id` may remove lock `id`; takeover files of `id` are removed only after
 * lock `id` is, and tokens never repeat, so a late process that creates one again finds the lock no longer `id`.
 * A takeover file whose creator died (killed mid-takeover) is passed over to the next one (`.1`, `.2`, …).
 */
function takeOver(lockPath: string, id: string): boolean {
  const safeId = id.replace(/[^A-Za-z0-9-]/g, '_');
  const me = JSON.stringify({ pid: process.pid, hostname: osHostname(), startTicks: startTicksOf(process.pid) });
  const guards: string[] = [];
  for (let n = 0; n < 32; n++) {
    const guard = `${lockPath}.takeover-${safeId}.${n}`;
    guards.push(guard);
    if (!createExclusive(guard, me, `${process.pid}-${randomUUID()}`)) {
      const other = readGuard(guard);
      if (other === 'gone') return false; // finished by someone else: look at the lock again
      if (other === 'live') return false; // someone alive is at it: wait
      continue;
    }
    try {
      if (readLock(lockPath)?.id === id) tryUnlink(lockPath);
      return true;
    } finally {
      for (const g of guards) tryUnlink(g);
    }
  }
  return false;
}

function readGuard(guard: string): 'gone' | 'live' | 'dead' {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(guard, 'utf8');
    mtimeMs = statSync(guard).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as { pid: number; hostname: string; startTicks?: string };
    if (typeof holder.pid !== 'number') throw new Error('no pid');
    return holderIsDead(holder, () => false) ? 'dead' : 'live';
  } catch {
    return Date.now() - mtimeMs > UNREADABLE_GRACE_MS ? 'dead' : 'live';
  }
}

/** Takeover files of other locks and temporary files of dead writers, left by processes killed at the wrong instant. */
function removeLeftovers(lockPath: string, token: string): void {
  const prefix = `${basename(lockPath)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(lockPath));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || name.includes(token)) continue;
    const rest = name.slice(prefix.length);
    // Our lock is the only one now: every other lock's takeover files are done with.
    if (rest.startsWith('takeover-')) tryUnlink(join(dirname(lockPath), name));
    else if (rest.endsWith('.tmp')) {
      const pid = Number(rest.split('-')[0]);
      if (Number.isInteger(pid) && holderIsDead({ pid, hostname: osHostname() }, () => false)) {
        tryUnlink(join(dirname(lockPath), name));
      }
    }
  }
}

function unlinkIfToken(lockPath: string, token: string): void {
  try {
    if (readLock(lockPath)?.content?.token === token) unlinkSync(lockPath);
  } catch {
    // Releasing is best effort: a lock left behind is stale and taken over by the next process.
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

export function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory (Windows); the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A process's start time in clock ticks since boot, where /proc has it (Linux). */
function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let hooksInstalled = false;

function releaseAll(): void {
  for (const [path, token] of held) unlinkIfToken(path, token);
  held.clear();
}

/** Releases every lock on exit; on a fatal signal nobody else handles, releases and dies of the signal as before. */
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', releaseAll);
  if (!isMainThread) return;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    if (process.listenerCount(signal) > 0) continue;
    const onSignal = () => {
      // Someone else handles it now: they decide whether the process ends (then 'exit' releases).
      if (process.listenerCount(signal) > 1) return;
      releaseAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
