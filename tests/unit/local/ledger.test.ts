import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/core/errors';
import { FileLedger } from '../../../lib/local/ledger-file';
import { MemoryLedger } from '../../../lib/local/ledger-memory';
import { aPauseRecord, aTarget } from '../../helpers/factories';
import { describeLedgerContract } from '../../helpers/ledger-contract';

const tempFile = async () => join(await mkdtemp(join(tmpdir(), 'mp-ledger-')), 'ledger.json');

describeLedgerContract('MemoryLedger', async (options) => new MemoryLedger(undefined, options));
describeLedgerContract('FileLedger', async (options) => FileLedger.open(await tempFile(), options));

describe('FileLedger', () => {
  it('lets a resume in a later process see the holds of an earlier pause', async () => {
    const path = await tempFile();
    const first = await FileLedger.open(path);
    await first.recordPause(aPauseRecord());
    await first.flush();

    const second = await FileLedger.open(path);

    expect((await second.pausedByUs()).map((r) => r.target.taskId)).toEqual(['policy-1']);
  });

  it('writes nothing until flushed', async () => {
    const path = await tempFile();
    const ledger = await FileLedger.open(path);
    await ledger.recordPause(aPauseRecord());

    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a file that is not a ledger instead of overwriting it', async () => {
    const path = await tempFile();
    await writeFile(path, '{"something":"else"}');

    await expect(FileLedger.open(path)).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('FileLedger under concurrent flushes', () => {
  it('survives many chunks flushing at once and keeps every hold', async () => {
    const path = await tempFile();
    const ledger = await FileLedger.open(path);

    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await ledger.recordPause(aPauseRecord(aTarget({ taskId: `t${i}` })));
        await ledger.flush();
      }),
    );

    expect(await (await FileLedger.open(path)).pausedByUs()).toHaveLength(20);
  });
});
