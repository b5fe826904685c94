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

    it('keeps one hold per source on a target, and releases one source or all', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      await ledger.recordPause(aPauseRecord(a, { source: 'window:business-hours' }));
      await ledger.recordPause(aPauseRecord(a, { source: 'INC-1' }));
      await ledger.recordPause(aPauseRecord(a, { source: 'INC-1', reason: 'renewed' }));

      expect((await ledger.pausedByUs()).map((h) => `${h.source}:${h.reason}`).sort()).toEqual([
        'INC-1:renewed',
        'window:business-hours:test',
      ]);

      await ledger.release(targetKey(a), 'window:business-hours');
      expect((await ledger.pausedByUs()).map((h) => h.source)).toEqual(['INC-1']);

      await ledger.recordPause(aPauseRecord(a, { source: 'cost-guard' }));
      await ledger.release(targetKey(a));
      await ledger.release(targetKey(a));
      expect(await ledger.pausedByUs()).toEqual([]);
    });

    it('lets only the first claim of a target by a command through', async () => {
      const ledger = await open();
      const key = targetKey(aTarget());

      const claims = await Promise.all([ledger.claim('cmd-1', key), ledger.claim('cmd-1', key), ledger.claim('cmd-1', key)]);

      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await ledger.claim('cmd-2', key)).toBe(true);
    });

    it('tells whether a target is claimed without claiming it', async () => {
      const ledger = await open();
      const key = targetKey(aTarget());

      expect(await ledger.isClaimed('cmd-1', key)).toBe(false);
      expect(await ledger.isClaimed('cmd-1', key)).toBe(false);
      await ledger.claim('cmd-1', key);

      expect(await ledger.isClaimed('cmd-1', key)).toBe(true);
      expect(await ledger.isClaimed('cmd-2', key)).toBe(false);
    });

    it('answers "what happened to this task, and in which command" oldest first', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      const b = aTarget({ taskId: 'b' });
      await ledger.recordOutcome('cmd-09', anOutcome({ target: a, outcome: 'paused', finishedAt: '2026-11-28T00:00:05.000Z' }));
      await ledger.recordOutcome('cmd-09', anOutcome({ target: b, outcome: 'paused', finishedAt: '2026-11-28T00:00:06.000Z' }));
      await ledger.recordOutcome('cmd-18', anOutcome({ target: a, outcome: 'resumed', finishedAt: '2026-11-28T09:00:05.000Z' }));

      const ofTask = await ledger.history({ targetKey: targetKey(a) });
      const ofCommand = await ledger.history({ commandId: 'cmd-09' });
      const since = await ledger.history({ targetKey: targetKey(a), since: '2026-11-28T08:00:00.000Z' });

      expect(ofTask.map((e) => `${e.commandId}:${e.outcome.outcome}`)).toEqual(['cmd-09:paused', 'cmd-18:resumed']);
      expect(ofCommand.map((e) => e.outcome.target.taskId)).toEqual(['a', 'b']);
      expect(since.map((e) => e.commandId)).toEqual(['cmd-18']);
    });

    it('keeps an expiry on a hold', async () => {
      const ledger = await open();
      await ledger.recordPause(aPauseRecord(aTarget(), { until: '2026-11-28T13:00:00.000Z' }));

      expect((await ledger.pausedByUs())[0]?.until).toBe('2026-11-28T13:00:00.000Z');
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
