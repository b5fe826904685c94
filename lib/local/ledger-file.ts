import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import { ConfigError } from '../core/errors';
import '../core/zod-messages';
import { type ClaimRecord, emptyLedgerState, type LedgerState, MemoryLedger, type MemoryLedgerOptions } from './ledger-memory';

const stateSchema = z.object({
  version: z.literal(1),
  holds: z.record(z.string(), z.any()),
  outcomes: z.record(z.string(), z.record(z.string(), z.any())),
  // Version-1 files written before claims had leases hold the claim time only: those claims are finished.
  claims: z._default(
    z.record(
      z.string(),
      z.union([z.string(), z.object({ holder: z.string(), expiresAt: z.number(), done: z.optional(z.literal(true)) })]),
    ),
    {},
  ),
  leases: z._default(z.record(z.string(), z.object({ holder: z.string(), expiresAt: z.number() })), {}),
});

/**
 * The embedded default: the memory ledger, written to one JSON file (atomically, by rename) whenever the
 * pipeline flushes, so a `pause` in one process and a `resume` in the next see the same holds.
 */
export class FileLedger extends MemoryLedger {
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    state: LedgerState,
    options: MemoryLedgerOptions,
  ) {
    super(state, options);
  }

  static async open(path: string, options: MemoryLedgerOptions = {}): Promise<FileLedger> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    }
    if (text === undefined) return new FileLedger(path, emptyLedgerState(), options);
    const parsed = stateSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new ConfigError(`ledger file ${path} is not a migration-pauser ledger (version 1)`);
    const state = emptyLedgerState();
    Object.assign(state.holds, parsed.data.holds);
    Object.assign(state.outcomes, parsed.data.outcomes);
    Object.assign(state.leases, parsed.data.leases);
    for (const [id, claim] of Object.entries(parsed.data.claims)) {
      state.claims[id] = typeof claim === 'string' ? ({ holder: '', expiresAt: 0, done: true } satisfies ClaimRecord) : claim;
    }
    return new FileLedger(path, state, options);
  }

  protected override changed(): void {
    this.dirty = true;
  }

  /** Writes are queued: concurrent chunks flushing at once must not race on the temporary file. */
  override flush(): Promise<void> {
    const write = this.writing.then(() => this.write());
    this.writing = write.catch(() => undefined);
    return write;
  }

  private async write(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    try {
      await writeFile(temp, JSON.stringify({ version: 1, ...this.state }), 'utf8');
      await rename(temp, this.path);
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
