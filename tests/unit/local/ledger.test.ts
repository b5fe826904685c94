import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/core/errors';
import { holdStatus } from '../../../lib/core/ledger';
import { targetKey } from '../../../lib/core/types';
import { LedgerLockedError } from '../../../lib/local/errors';
import { FileLedger, type FileLedgerOptions } from '../../../lib/local/ledger-file';
import { MemoryLedger } from '../../../lib/local/ledger-memory';
import { anOutcome, aPauseRecord, aTarget } from '../../helpers/factories';
import { describeLedgerContract } from '../../helpers/ledger-contract';

const tempFile = async () => join(await mkdtemp(join(tmpdir(), 'mp-ledger-')), 'ledger.json');

/** Every ledger a test opens is closed after it, so no lock outlives its test. */
const opened: FileLedger[] = [];
async function openLedger(path: string, options?: FileLedgerOptions): Promise<FileLedger> {
  const ledger = await FileLedger.open(path, options);
  opened.push(ledger);
  return ledger;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});

describeLedgerContract('MemoryLedger', async (options) => new MemoryLedger(undefined, options));
describeLedgerContract('FileLedger', async (options) => openLedger(await tempFile(), options));

describe('FileLedger', () => {
  it('lets a resume in a later process see the holds of an earlier pause', async () => {
    const path = await tempFile();
    const first = await openLedger(path);
    await first.recordPause(aPauseRecord());
    await first.flush();
    await first.close();

    const second = await openLedger(path);

    expect((await second.pausedByUs()).map((r) => r.target.taskId)).toEqual(['policy-1']);
  });

  it('writes nothing until flushed', async () => {
    const path = await tempFile();
    const ledger = await openLedger(path);
    await ledger.recordPause(aPauseRecord());

    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a file that is not a ledger instead of overwriting it', async () => {
    const path = await tempFile();
    await writeFile(path, '{"something":"else"}');

    await expect(FileLedger.open(path)).rejects.toBeInstanceOf(ConfigError);
    // …and gives the lock back: the next open does not wait.
    await expect(FileLedger.open(path, { waitMs: 0 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('appends each flush to the journal and replays it over the snapshot', async () => {
    const path = await tempFile();
    const first = await openLedger(path);
    await first.recordPause(aPauseRecord(aTarget({ taskId: 'a' })));
    await first.flush(); // the first flush of a new directory writes a snapshot and an empty journal
    await first.recordPause(aPauseRecord(aTarget({ taskId: 'b' })));
    await first.recordOutcomes('cmd-1', [anOutcome()]);
    await first.release(targetKey(aTarget({ taskId: 'a' })));
    await first.flush();

    const snapshot = JSON.parse(await readFile(path, 'utf8'));
    const journal = (await readFile(join(dirname(path), 'ledger.journal'), 'utf8')).trim().split('\n');
    expect(Object.keys(snapshot.holds)).toHaveLength(1);
    // The outcome finishes the command's claim on the target by itself: no claim line is written for it.
    expect(journal.slice(1).map((line) => JSON.parse(line).op)).toEqual(['hold', 'outcome', 'unhold']);

    await first.close();
    const second = await openLedger(path);
    expect((await second.pausedByUs()).map((h) => h.target.taskId)).toEqual(['b']);
    expect(await second.outcomesOf('cmd-1')).toHaveLength(1);
    expect(await second.claim('cmd-1', targetKey(anOutcome().target), { holder: 'later', expiresAt: Date.now() + 60_000 })).toBe(
      'done',
    );
    expect((await readFile(join(dirname(path), 'ledger.journal'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('ignores a torn last journal line (a crash mid-append) and cuts it before appending again', async () => {
    const path = await tempFile();
    const a = aPauseRecord(aTarget({ taskId: 'a' }));
    const b = aPauseRecord(aTarget({ taskId: 'b' }));
    await writeFile(path, JSON.stringify({ version: 1, journal: 'j1', holds: {}, outcomes: {}, claims: {}, leases: {} }));
    const whole = JSON.stringify({ op: 'hold', id: `${a.key}|manual`, hold: a });
    const torn = JSON.stringify({ op: 'hold', id: `${b.key}|manual`, hold: b }).slice(0, 40);
    await writeFile(join(dirname(path), 'ledger.journal'), `{"journal":"j1"}\n${whole}\n${torn}`);

    const ledger = await openLedger(path);
    expect((await ledger.pausedByUs()).map((h) => h.target.taskId)).toEqual(['a']);
    await ledger.recordPause(aPauseRecord(aTarget({ taskId: 'c' })));
    await ledger.flush();

    const lines = (await readFile(join(dirname(path), 'ledger.journal'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).hold?.target.taskId)).toEqual([undefined, 'a', 'c']);
  });

  it('refuses a journal damaged in the middle rather than dropping what follows', async () => {
    const path = await tempFile();
    const a = aPauseRecord(aTarget({ taskId: 'a' }));
    await writeFile(path, JSON.stringify({ version: 1, journal: 'j1', holds: {}, outcomes: {}, claims: {}, leases: {} }));
    await writeFile(
      join(dirname(path), 'ledger.journal'),
      `{"journal":"j1"}\n{"op":"hol\n${JSON.stringify({ op: 'hold', id: `${a.key}|manual`, hold: a })}\n`,
    );

    await expect(FileLedger.open(path)).rejects.toThrow(/damaged at line 2/);
  });

  it('compacts past the threshold and on close: every hold kept, old outcomes and claims pruned', async () => {
    const path = await tempFile();
    const now = Date.parse('2026-11-28T00:00:00.000Z');
    const ledger = await openLedger(path, { now: () => new Date(now), compactLines: 5 });
    for (let i = 0; i < 12; i++) {
      await ledger.recordPause(aPauseRecord(aTarget({ taskId: `t${i}` }), { pausedAt: '2025-01-01T00:00:00.000Z' }));
      await ledger.flush();
    }
    const journal = join(dirname(path), 'ledger.journal');
    expect((await readFile(journal, 'utf8')).trim().split('\n').length).toBeLessThanOrEqual(5);
    await ledger.recordOutcomes('old', [anOutcome({ finishedAt: '2026-06-01T00:00:00.000Z' })]);
    await ledger.recordOutcomes('new', [anOutcome({ finishedAt: '2026-11-01T00:00:00.000Z' })]);
    await ledger.claim('old', 'k', { holder: 'd', expiresAt: Date.parse('2026-06-01T00:00:00.000Z') });
    await ledger.claim('new', 'k', { holder: 'd', expiresAt: now + 60_000 });
    await ledger.close();

    const reopened = await openLedger(path);
    expect(await reopened.pausedByUs()).toHaveLength(12);
    expect(await reopened.outcomesOf('old')).toEqual([]);
    expect(await reopened.outcomesOf('new')).toHaveLength(1);
    const snapshot = JSON.parse(await readFile(path, 'utf8'));
    expect(Object.keys(snapshot.claims)).toEqual(['new|k']);
    expect((await readFile(journal, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('reads a version-1 file of the previous release as it is', async () => {
    const path = await tempFile();
    const hold = aPauseRecord();
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        holds: { [`${hold.key}|manual`]: hold },
        outcomes: { 'cmd-1': { [hold.key]: anOutcome() } },
        claims: { [`cmd-1|${hold.key}`]: '2026-11-28T00:00:00.000Z' },
      }),
    );

    const ledger = await openLedger(path);

    expect((await ledger.pausedByUs()).map(holdStatus)).toEqual(['held']);
    expect(await ledger.claim('cmd-1', hold.key, { holder: 'x', expiresAt: Date.now() + 1000 })).toBe('done');
    expect(await ledger.outcomesOf('cmd-1')).toHaveLength(1);
  });

  it('refuses a malformed hold, naming it, instead of dropping it', async () => {
    const path = await tempFile();
    await writeFile(
      path,
      JSON.stringify({ version: 1, holds: { 'huawei-oms/main/t1|INC-9': { key: 'huawei-oms/main/t1' } }, outcomes: {} }),
    );

    const error = await FileLedger.open(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('huawei-oms/main/t1|INC-9');
  });

  it('makes a second open of the directory wait until the first is closed, then see its writes', async () => {
    const path = await tempFile();
    const first = await openLedger(path);
    await first.recordPause(aPauseRecord());
    await first.flush();
    const waits: number[] = [];

    const second = openLedger(path, { onWait: (holder) => waits.push(holder.pid), pollMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(waits).toEqual([process.pid]);
    await first.close();

    expect(await (await second).pausedByUs()).toHaveLength(1);
    expect(waits).toHaveLength(1);
  });

  it('gives up after waitMs with LedgerLockedError naming the holder', async () => {
    const path = await tempFile();
    await openLedger(path);

    const error = await FileLedger.open(path, { waitMs: 50, pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerLockedError);
    expect((error as LedgerLockedError).pid).toBe(process.pid);
  });

  it('refuses writes once closed', async () => {
    const ledger = await FileLedger.open(await tempFile());
    await ledger.close();
    await expect(ledger.recordPause(aPauseRecord())).rejects.toThrow(/closed/);
    await ledger.close();
  });
});

describe('FileLedger under concurrent flushes', () => {
  it('survives many chunks flushing at once and keeps every hold', async () => {
    const path = await tempFile();
    const ledger = await openLedger(path, { compactLines: 7 });

    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await ledger.recordPause(aPauseRecord(aTarget({ taskId: `t${i}` })));
        await ledger.flush();
      }),
    );
    await ledger.close();

    expect(await (await openLedger(path)).pausedByUs()).toHaveLength(20);
  });
});

describe('FileLedger and keys that name an object prototype', () => {
  it('keeps holds, outcomes and claims whose keys are __proto__ or constructor through a restart', async () => {
    const path = await tempFile();
    const first = await openLedger(path);
    const odd = aTarget({ taskId: '__proto__', account: 'constructor' });
    await first.recordPause({ ...aPauseRecord(odd), source: '__proto__' });
    await first.recordOutcomes('__proto__', [anOutcome({ target: odd })]);
    await first.claim('constructor', '__proto__', { holder: 'h', expiresAt: Date.now() + 60_000 });
    await first.close();

    const second = await openLedger(path);
    expect((await second.pausedByUs()).map((h) => [h.key, h.source])).toEqual([[targetKey(odd), '__proto__']]);
    expect(await second.outcomesOf('__proto__')).toHaveLength(1);
    expect(await second.claim('constructor', '__proto__', { holder: 'other', expiresAt: Date.now() + 60_000 })).toBe(
      'taken-over',
    );
  });
});
