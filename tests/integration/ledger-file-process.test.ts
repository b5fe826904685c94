import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLedger } from '../../lib/local/ledger-file';
import { aPauseRecord, aTarget } from '../helpers/factories';

const CHILD = join(import.meta.dirname, '../helpers/ledger-child.ts');
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');
const tempFile = async () => join(await mkdtemp(join(tmpdir(), 'mp-ledger-proc-')), 'ledger.json');

type Event = Record<string, unknown> & { event: string };

interface Child {
  process: ChildProcess;
  events: Event[];
  /** Resolves with the first event matching, in order of arrival. */
  next: (event: string) => Promise<Event>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function child(...args: string[]): Child {
  const process_ = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(process_);
  const events: Event[] = [];
  const waiting: { event: string; resolve: (e: Event) => void }[] = [];
  let buffer = '';
  process_.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const event = JSON.parse(buffer.slice(0, end)) as Event;
      buffer = buffer.slice(end + 1);
      events.push(event);
      for (const w of waiting.filter((w) => w.event === event.event)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => process_.on('exit', (code) => resolve(code)));
  return {
    process: process_,
    events,
    exited,
    next: (event) => {
      const seen = events.find((e) => e.event === event);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiting.push({ event, resolve }));
    },
  };
}

describe.concurrent('FileLedger across processes', () => {
  it('makes a second process wait while the first holds the directory, then see its holds', async () => {
    const path = await tempFile();
    const first = await FileLedger.open(path);
    await first.recordPause(aPauseRecord(aTarget({ taskId: 'from-first' })));
    await first.flush();

    const second = child('read', path);
    const waiting = await second.next('waiting');
    expect(waiting.pid).toBe(process.pid);
    expect(second.events.some((e) => e.event === 'holds')).toBe(false);
    await first.close();

    expect((await second.next('holds')).taskIds).toEqual(['from-first']);
    expect(second.events.filter((e) => e.event === 'waiting')).toHaveLength(1);
    expect(await second.exited).toBe(0);
  });

  it('gives up after the wait with LedgerLockedError naming the holder', async () => {
    const path = await tempFile();
    const first = await FileLedger.open(path);
    try {
      const second = child('read', path, '200');
      const error = await second.next('error');
      expect(error).toMatchObject({ name: 'LedgerLockedError', pid: process.pid });
      expect(String(error.message)).toContain(`pid ${process.pid}`);
      expect(await second.exited).toBe(3);
    } finally {
      await first.close();
    }
  });

  it('takes over the lock of a process killed with SIGKILL, with every hold it flushed', async () => {
    const path = await tempFile();
    const holder = child('hold', path, '5');
    await holder.next('flushed');
    holder.process.kill('SIGKILL');
    await holder.exited;
    await access(join(dirname(path), 'ledger.lock')); // kill -9 left it behind

    const ledger = await FileLedger.open(path, { waitMs: 2_000 });
    try {
      expect((await ledger.pausedByUs()).map((h) => h.target.taskId).sort()).toEqual([
        'child-0',
        'child-1',
        'child-2',
        'child-3',
        'child-4',
      ]);
      expect(JSON.parse(await readFile(join(dirname(path), 'ledger.lock'), 'utf8')).pid).toBe(process.pid);
    } finally {
      await ledger.close();
    }
  });

  it('keeps every hold whose flush resolved when killed -9 in a tight loop of record and flush', async () => {
    const path = await tempFile();
    const looper = child('loop', path);
    // Past a few compactions (every 25 records), so the kill may land in one.
    while (looper.events.length < 80) await new Promise((resolve) => setTimeout(resolve, 5));
    looper.process.kill('SIGKILL');
    await looper.exited;
    const flushed = looper.events.map((e) => `loop-${e.i}`);

    const ledger = await FileLedger.open(path, { waitMs: 2_000 });
    try {
      const held = new Set((await ledger.pausedByUs()).map((h) => h.target.taskId));
      expect(flushed.filter((id) => !held.has(id))).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  it('lets exactly one of several processes take over a stale lock at a time', async () => {
    const path = await tempFile();
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    const { hostname } = await import('node:os');
    await writeFile(
      join(dirname(path), 'ledger.lock'),
      JSON.stringify({ pid: dead.pid, hostname: hostname(), since: new Date().toISOString(), token: 'dead' }),
    );

    const racers = ['r0', 'r1', 'r2'].map((id) => child('exclusive', path, id));
    await Promise.all(racers.map((r) => r.exited));

    const spans = racers.map(
      (r) => [Number(r.events.find((e) => e.event === 'in')?.at), Number(r.events.find((e) => e.event === 'out')?.at)] as const,
    );
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThanOrEqual(spans[i - 1]?.[1] ?? Infinity);
    const ledger = await FileLedger.open(path, { waitMs: 2_000 });
    try {
      expect((await ledger.pausedByUs()).map((h) => h.target.taskId).sort()).toEqual(['r0', 'r1', 'r2']);
    } finally {
      await ledger.close();
    }
  });

  it('makes the CLI say once whom it waits for, and exit 3 after --wait', async () => {
    const path = await tempFile();
    const first = await FileLedger.open(path);
    try {
      const failed = await promisify(execFile)(process.execPath, [
        BIN,
        'status',
        '--state-dir',
        dirname(path),
        '--wait',
        '0.3',
      ]).catch((error: { code: number; stderr: string }) => error);
      expect(failed).toMatchObject({ code: 3 });
      const stderr = (failed as { stderr: string }).stderr;
      expect(stderr.match(new RegExp(`waiting for the ledger in .*: held by pid ${process.pid} since`, 'g'))).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`held by pid ${process.pid} .*--wait SECONDS`));
    } finally {
      await first.close();
    }
  });
});
