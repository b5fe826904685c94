import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../lib/core/ledger';
import { targetKey } from '../../lib/core/types';
import { anOutcome, aPauseRecord, aTarget } from './factories';

/** The behaviour every Ledger implementation must show; each implementation's test file calls this. */
export function describeLedgerContract(name: string, open: () => Promise<Ledger>): void {
  describe(`${name} (ledger contract)`, () => {
    it('remembers what we paused until it is released', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      const b = aTarget({ taskId: 'b' });
      await ledger.recordPause(aPauseRecord(a));
      await ledger.recordPause(aPauseRecord(b));

      await ledger.release(targetKey(a));

      expect((await ledger.pausedByUs()).map((r) => r.target.taskId)).toEqual(['b']);
    });

    it('keeps one outcome per target and command, the latest write winning', async () => {
      const ledger = await open();
      await ledger.recordOutcome('cmd-1', anOutcome({ outcome: 'failed', reason: 'first try' }));
      await ledger.recordOutcome('cmd-1', anOutcome({ outcome: 'paused' }));
      await ledger.recordOutcome('cmd-2', anOutcome({ outcome: 'already-paused' }));

      expect((await ledger.outcomesOf('cmd-1')).map((o) => o.outcome)).toEqual(['paused']);
      expect(await ledger.outcomesOf('unknown')).toEqual([]);
    });

    it('hands out copies, so callers cannot change what is recorded', async () => {
      const ledger = await open();
      await ledger.recordPause(aPauseRecord());
      const [record] = await ledger.pausedByUs();
      if (record) record.reason = 'tampered';

      expect((await ledger.pausedByUs())[0]?.reason).toBe('test');
    });
  });
}
