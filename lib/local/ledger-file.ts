import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import type { Lease, PauseRecord } from '../core/ledger';
import type { TargetOutcome } from '../core/types';
import { FileLock, type FileLockOptions, syncDirectory } from './file-lock';
import {
  applyChange,
  type ClaimRecord,
  emptyLedgerState,
  type LedgerChange,
  type LedgerState,
  MemoryLedger,
  type MemoryLedgerOptions,
} from './ledger-memory';

export interface FileLedgerOptions extends MemoryLedgerOptions, FileLockOptions {
  /** Outcomes and claims older than this are dropped when the journal is compacted (default 90, as the TTL). */
  retentionDays?: number;
  /**
   * Compact once the journal is this large (bytes, default 4 MiB) and at least as large as the last snapshot: a
   * compaction rewrites everything, so it waits until as much has been journaled — the write cost stays
   * proportional to what changed, whatever the ledger's size …
   */
  compactBytes?: number;
  /** … or has this many records (default: no limit by count). */
  compactLines?: number;
}

const DAY_MS = 86_400_000;

/**
 * The embedded default: the memory ledger, kept in a state directory by one process at a time.
 *
 * - `ledger.lock`: taken by `open` (waiting for another holder, see FileLock) and released by `close`.
 * - `ledger.json`: a snapshot (version 1, as before the journal; it names the journal that continues it).
 * - `ledger.journal`: a header naming the snapshot's journal id, then one JSON line per change; `flush` appends
 *   the changes made since the last flush and fsyncs, so its cost follows what changed, and a kill -9 after it
 *   resolves loses nothing. `open` replays the journal onto the snapshot, ignoring a torn last line.
 * - Compaction (journal past its threshold, and on `close`): a new snapshot with a new journal id (temporary file,
 *   fsync, rename, fsync of the directory), then an empty journal with that id. A crash in between leaves a journal
 *   whose id no longer matches, which `open` ignores: the snapshot already holds all of it.
 */
export class FileLedger extends MemoryLedger {
  readonly journalPath: string;
  /**
   * Changes not yet journaled. The values are the state's own and never mutated once stored (a change replaces
   * them), so they are serialised when written, a piece at a time, not held twice as text.
   */
  private pending: LedgerChange[] = [];
  private writing: Promise<void> = Promise.resolve();
  private journal?: FileHandle;
  /** The snapshot's journal id once the journal on disk continues it; absent: the next write compacts. */
  private journalId?: string;
  private journalBytes = 0;
  private journalLines = 0;
  private closed = false;
  private readonly retentionMs: number;
  private readonly compactBytes: number;
  private readonly compactLines: number;
  /** The size of the last snapshot written or read (bytes). */
  private snapshotBytes = 0;

  private constructor(
    readonly path: string,
    state: LedgerState,
    options: FileLedgerOptions,
    private readonly lock: FileLock,
  ) {
    super(state, options);
    this.journalPath = siblingPath(path, 'journal');
    this.retentionMs = (options.retentionDays ?? 90) * DAY_MS;
    this.compactBytes = options.compactBytes ?? 4 * 1024 * 1024;
    this.compactLines = options.compactLines ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Takes the state directory's lock (waiting up to `waitMs` for another process; LedgerLockedError after), then
   * reads the snapshot and replays the journal. Call `close()` when done: it compacts and releases the lock.
   */
  static async open(path: string, options: FileLedgerOptions = {}): Promise<FileLedger> {
    const directory = dirname(resolve(path));
    await mkdir(directory, { recursive: true });
    const lock = await FileLock.acquire(siblingPath(path, 'lock'), directory, options);
    try {
      const snapshot = await readSnapshot(path);
      const journalPath = siblingPath(path, 'journal');
      const journal = await readJournal(journalPath, snapshot);
      for (const change of journal.changes) applyChange(snapshot.state, change);
      forgetEarlierProcesses(snapshot.state);
      const ledger = new FileLedger(path, snapshot.state, options, lock);
      ledger.snapshotBytes = (await stat(path).catch(() => undefined))?.size ?? 0;
      if (journal.continues) {
        const handle = await open(journalPath, 'r+');
        if (journal.size > journal.validBytes) {
          // A crash mid-append left a torn line: cut it, or the next append would glue onto it.
          await handle.truncate(journal.validBytes);
          await handle.datasync();
        }
        await handle.close();
        ledger.journal = await open(journalPath, 'a');
        ledger.journalId = snapshot.journalId;
        ledger.journalBytes = journal.validBytes;
        ledger.journalLines = journal.changes.length;
      }
      return ledger;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  protected override changed(change: LedgerChange): void {
    if (this.closed) throw new Error(`the ledger ${this.path} is closed`);
    this.pending.push(change);
  }

  /** Appends what changed since the last flush to the journal and fsyncs it. Flushes run one after another. */
  override flush(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`the ledger ${this.path} is closed`));
    return this.queue(() => this.write());
  }

  /** Flushes, compacts (if anything was journaled) and releases the lock. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.queue(async () => {
        // Durable first (an append), then compacted: a compaction that fails loses nothing.
        await this.write();
        if (this.journalLines > 0) await this.compact();
      });
    } finally {
      this.closed = true;
      await this.journal?.close().catch(() => undefined);
      this.journal = undefined;
      this.lock.release();
    }
  }

  private queue(step: () => Promise<void>): Promise<void> {
    const run = this.writing.then(step);
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    if (this.journalId === undefined || !this.journal) return this.compact();
    const changes = this.pending;
    this.pending = [];
    let bytes = 0;
    try {
      const journal = this.journal;
      bytes = await writePieces(
        (piece) => journal.appendFile(piece, 'utf8'),
        (function* () {
          for (const change of changes) yield `${JSON.stringify(change)}\n`;
        })(),
      );
      await journal.datasync();
    } catch (error) {
      this.pending = [...changes, ...this.pending];
      // Cut whatever part did get written, so a retry never follows a torn line.
      await this.journal.truncate(this.journalBytes).catch(() => undefined);
      throw error;
    }
    this.journalBytes += bytes;
    this.journalLines += changes.length;
    if (this.journalBytes >= Math.max(this.compactBytes, this.snapshotBytes) || this.journalLines >= this.compactLines) {
      // What this flush promised is durable already; a compaction that fails is tried again at the next flush.
      await this.compact().catch(() => undefined);
    }
  }

  /** A new snapshot of everything (old outcomes and claims pruned), then an empty journal continuing it. */
  private async compact(): Promise<void> {
    this.prune();
    const id = randomUUID();
    const taken = this.pending;
    this.pending = [];
    try {
      this.snapshotBytes = await writeAtomically(this.path, snapshotText(id, this.state));
    } catch (error) {
      this.pending = [...taken, ...this.pending];
      throw error;
    }
    // The snapshot holds everything now; until the new journal is in place, the next write compacts again.
    this.journalId = undefined;
    await this.journal?.close().catch(() => undefined);
    this.journal = undefined;
    const header = `${JSON.stringify({ journal: id })}\n`;
    await writeAtomically(this.journalPath, header);
    this.journal = await open(this.journalPath, 'a');
    this.journalId = id;
    this.journalBytes = Buffer.byteLength(header);
    this.journalLines = 0;
  }

  /** Outcomes and claims past the retention go; expired leases go (an expired lease is a free one); holds stay. */
  private prune(): void {
    const now = this.now().getTime();
    const cutoff = now - this.retentionMs;
    for (const [commandId, byTarget] of Object.entries(this.state.outcomes)) {
      for (const [key, outcome] of Object.entries(byTarget)) {
        if (Date.parse(outcome.finishedAt) < cutoff) delete byTarget[key];
      }
      if (Object.keys(byTarget).length === 0) delete this.state.outcomes[commandId];
    }
    for (const [id, claim] of Object.entries(this.state.claims)) {
      if (claim.expiresAt < cutoff) delete this.state.claims[id];
    }
    for (const [key, lease] of Object.entries(this.state.leases)) {
      if (lease.expiresAt < now) delete this.state.leases[key];
    }
  }
}

/** `DIR/ledger.json` → `DIR/ledger.lock`, `DIR/ledger.journal`. */
function siblingPath(path: string, extension: string): string {
  return join(dirname(path), `${basename(path, '.json')}.${extension}`);
}

/** Writes a file whole or not at all (temporary file, fsync, rename, fsync of the directory); returns its size. */
async function writeAtomically(path: string, text: string | Iterable<string>): Promise<number> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  let bytes: number;
  try {
    bytes = await writePieces((piece) => handle.write(piece, null, 'utf8'), typeof text === 'string' ? [text] : text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  syncDirectory(dirname(path));
  return bytes;
}

/** Most text written at once: at 100,000 holds, a journal flush or a snapshot is never one string in memory. */
const PIECE_CHARS = 1 << 20;

/** Writes text pieces gathered into writes of about PIECE_CHARS; returns the bytes written. */
async function writePieces(write: (piece: string) => Promise<unknown>, pieces: Iterable<string>): Promise<number> {
  let bytes = 0;
  let gathered: string[] = [];
  let chars = 0;
  const out = async () => {
    const piece = gathered.join('');
    gathered = [];
    chars = 0;
    await write(piece);
    bytes += Buffer.byteLength(piece);
  };
  for (const piece of pieces) {
    gathered.push(piece);
    chars += piece.length;
    if (chars >= PIECE_CHARS) await out();
  }
  if (chars > 0) await out();
  return bytes;
}

/** The snapshot (the same JSON as `JSON.stringify`), a record at a time. */
function* snapshotText(journalId: string, state: LedgerState): Generator<string> {
  yield `{"version":1,"journal":${JSON.stringify(journalId)},"holds":`;
  yield* objectText(state.holds, (hold) => [JSON.stringify(hold)]);
  yield ',"outcomes":';
  yield* objectText(state.outcomes, (byTarget) => objectText(byTarget, (outcome) => [JSON.stringify(outcome)]));
  yield ',"claims":';
  yield* objectText(state.claims, (claim) => [JSON.stringify(claim)]);
  yield ',"leases":';
  yield* objectText(state.leases, (lease) => [JSON.stringify(lease)]);
  yield '}';
}

function* objectText<T>(record: Record<string, T>, valueText: (value: T) => Iterable<string>): Generator<string> {
  let first = true;
  yield '{';
  for (const key in record) {
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    yield* valueText(record[key] as T);
    first = false;
  }
  yield '}';
}

interface Snapshot {
  state: LedgerState;
  journalId?: string;
  exists: boolean;
}

async function readSnapshot(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyLedgerState(), exists: false };
    throw cause;
  }
  const snapshot = parseSnapshot(safeJson(text));
  if (!snapshot) throw new ConfigError(`ledger file ${path} is not a migration-pauser ledger (version 1)`);
  const state = emptyLedgerState();
  for (const [id, hold] of Object.entries(snapshot.holds)) state.holds[id] = checkHold(hold, id, path);
  for (const [commandId, byTarget] of Object.entries(snapshot.outcomes)) {
    state.outcomes[commandId] = Object.assign(Object.create(null), byTarget);
  }
  Object.assign(state.leases, snapshot.leases);
  for (const [id, claim] of Object.entries(snapshot.claims)) {
    // The claim time of an old finished claim is kept as its expiry, so the retention can prune it.
    state.claims[id] =
      typeof claim === 'string' ? ({ holder: '', expiresAt: Date.parse(claim) || 0, done: true } satisfies ClaimRecord) : claim;
  }
  return { state, exists: true, ...(snapshot.journal ? { journalId: snapshot.journal } : {}) };
}

interface SnapshotFile {
  /** The journal that continues this snapshot (absent in files written before the journal existed). */
  journal?: string;
  holds: Record<string, unknown>;
  outcomes: Record<string, Record<string, TargetOutcome>>;
  /** Version-1 files written before claims had leases hold the claim time only: those claims are finished. */
  claims: Record<string, string | ClaimRecord>;
  leases: Record<string, Lease>;
}

/**
 * The snapshot's shape, checked by hand rather than by a schema library: a schema's record parser copies entries
 * into a plain object, where a key such as `__proto__` (a command id, a source) is not data but the prototype, and
 * the entry would vanish. JSON.parse keeps such keys as own properties; Object.entries sees them.
 */
function parseSnapshot(value: unknown): SnapshotFile | undefined {
  if (!isRecord(value) || value.version !== 1) return undefined;
  const { journal, holds, outcomes } = value;
  const claims = value.claims ?? {};
  const leases = value.leases ?? {};
  if (journal !== undefined && typeof journal !== 'string') return undefined;
  if (!isRecord(holds) || !isRecord(outcomes) || !isRecord(claims) || !isRecord(leases)) return undefined;
  if (!Object.values(outcomes).every((byTarget) => isRecord(byTarget) && Object.values(byTarget).every(isRecord))) {
    return undefined;
  }
  if (
    !Object.values(claims).every(
      (claim) => typeof claim === 'string' || (isLease(claim) && isDoneFlag(claim as Lease & { done?: unknown })),
    )
  ) {
    return undefined;
  }
  if (!Object.values(leases).every(isLease)) return undefined;
  return {
    ...(journal === undefined ? {} : { journal }),
    holds,
    outcomes: outcomes as SnapshotFile['outcomes'],
    claims: claims as SnapshotFile['claims'],
    leases: leases as SnapshotFile['leases'],
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLease(value: unknown): value is Lease {
  return isRecord(value) && typeof value.holder === 'string' && typeof value.expiresAt === 'number';
}

function isDoneFlag(value: { done?: unknown }): boolean {
  return value.done === undefined || value.done === true;
}

interface JournalRead {
  changes: LedgerChange[];
  /** Whether the journal on disk continues the snapshot (else it is ignored and the next write compacts). */
  continues: boolean;
  size: number;
  /** Bytes up to the end of the last whole line. */
  validBytes: number;
}

async function readJournal(path: string, snapshot: Snapshot): Promise<JournalRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { changes: [], continues: false, size: 0, validBytes: 0 };
    throw cause;
  }
  const none = { changes: [], continues: false, size: bytes.length, validBytes: 0 };
  const headerEnd = bytes.indexOf(0x0a);
  const header = headerEnd < 0 ? undefined : safeJson(bytes.subarray(0, headerEnd).toString('utf8'));
  const journalId = (header as { journal?: unknown } | undefined)?.journal;
  if (typeof journalId !== 'string') return none;
  if (!snapshot.exists) {
    throw new ConfigError(
      `ledger journal ${path} continues a snapshot that is missing (${basename(path, '.journal')}.json): restore it, or move the journal away to start empty`,
    );
  }
  // A journal of another snapshot: the compaction that replaced it was cut short after the new snapshot was in place.
  if (journalId !== snapshot.journalId) return none;
  const changes: LedgerChange[] = [];
  let start = headerEnd + 1;
  let validBytes = start;
  let lineNumber = 1;
  let torn: number | undefined;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    lineNumber++;
    if (end < 0) break; // the last line, cut short by a crash mid-append
    const value = safeJson(bytes.subarray(start, end).toString('utf8'));
    start = end + 1;
    if (value === undefined) {
      torn ??= lineNumber;
      continue;
    }
    if (torn !== undefined) {
      throw new ConfigError(
        `ledger journal ${path} is damaged at line ${torn} (whole lines follow it): restore it from a backup`,
      );
    }
    changes.push(checkChange(value, `${path} line ${lineNumber}`));
    validBytes = start;
  }
  return { changes, continues: true, size: bytes.length, validBytes };
}

/** Holds are what keeps a task paused: one we cannot read stops the ledger instead of vanishing. */
function checkHold(value: unknown, id: string, where: string): PauseRecord {
  const hold = value as Partial<PauseRecord> | null;
  const target = hold?.target as Partial<PauseRecord['target']> | undefined;
  const ok =
    typeof hold === 'object' &&
    hold !== null &&
    typeof hold.key === 'string' &&
    typeof hold.source === 'string' &&
    typeof hold.commandId === 'string' &&
    typeof hold.pausedAt === 'string' &&
    !Number.isNaN(Date.parse(hold.pausedAt)) &&
    typeof target === 'object' &&
    target !== null &&
    typeof target.provider === 'string' &&
    typeof target.account === 'string' &&
    typeof target.taskId === 'string' &&
    (hold.until === undefined || (typeof hold.until === 'string' && !Number.isNaN(Date.parse(hold.until)))) &&
    (hold.status === undefined || hold.status === 'pending' || hold.status === 'held');
  if (!ok) {
    throw new ConfigError(
      `ledger ${where}: the hold "${id}" is malformed (it needs key, source, commandId, pausedAt and until as times, and a target with provider, account and taskId): fix or restore it; it was not dropped`,
    );
  }
  return value as PauseRecord;
}

function checkChange(value: unknown, where: string): LedgerChange {
  const change = value as Record<string, unknown>;
  const isString = (v: unknown) => typeof v === 'string';
  switch (change?.op) {
    case 'hold':
      if (isString(change.id)) {
        checkHold(change.hold, change.id as string, where);
        return change as LedgerChange;
      }
      break;
    case 'unhold':
      if (isString(change.id)) return change as LedgerChange;
      break;
    case 'outcome':
      if (isString(change.commandId) && isString(change.key) && typeof change.outcome === 'object' && change.outcome !== null) {
        return change as LedgerChange;
      }
      break;
    case 'claim':
      if (isString(change.id) && isLease(change.claim)) return change as LedgerChange;
      break;
    case 'lease':
      if (isString(change.key) && isLease(change.lease)) return change as LedgerChange;
      break;
    case 'unlease':
      if (isString(change.key)) return change as LedgerChange;
      break;
  }
  throw new ConfigError(`ledger journal ${where} is not a ledger change: restore the journal from a backup`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Leases and unfinished claims left in the file were taken by processes that held the lock before this one — so
 * they have ended (a CLI killed with SIGKILL among them): nothing of theirs is in progress any more. Their targets
 * are free at once, rather than when their leases would have run out.
 */
function forgetEarlierProcesses(state: LedgerState): void {
  for (const key of Object.keys(state.leases)) delete state.leases[key];
  for (const claim of Object.values(state.claims)) if (!claim.done) claim.expiresAt = 0;
}
