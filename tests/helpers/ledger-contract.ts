import { describe, expect, it } from 'vitest';
import { collectHolds, type Ledger } from '../../lib/core/ledger';
import { targetKey } from '../../lib/core/types';
import { anOutcome, aPauseRecord, aTarget } from './factories';

/** The behaviour every Ledger implementation must show; each implementation's test file calls this. */
export function describeLedgerContract(name: string, open: (options?: { now?: () => Date }) => Promise<Ledger>): void {
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
      await ledger.recordOutcomes('cmd-1', [anOutcome({ outcome: 'failed', reason: 'first try' })]);
      await ledger.recordOutcomes('cmd-1', [anOutcome({ outcome: 'paused' })]);
      await ledger.recordOutcomes('cmd-2', [anOutcome({ outcome: 'already-paused' })]);

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

    it('lets only the first claim of a target by a command through; the others see it in progress', async () => {
      const ledger = await open();
      const key = targetKey(aTarget());
      const until = Date.now() + 60_000;

      const claims = await Promise.all(
        ['d1', 'd2', 'd3'].map((holder) => ledger.claim('cmd-1', key, { holder, expiresAt: until })),
      );

      expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c === 'in-progress')).toHaveLength(2);
      expect(await ledger.claim('cmd-2', key, { holder: 'd4', expiresAt: until })).toBe('claimed');
    });

    it('answers done for a finished claim, whoever asks, and lets a dead claimer be taken over', async () => {
      let clock = Date.parse('2026-11-28T00:00:00.000Z');
      const ledger = await open({ now: () => new Date(clock) });
      const a = targetKey(aTarget({ taskId: 'a' }));
      const b = targetKey(aTarget({ taskId: 'b' }));
      await ledger.claim('cmd-1', a, { holder: 'd1', expiresAt: clock + 30_000 });
      await ledger.claim('cmd-1', b, { holder: 'd1', expiresAt: clock + 30_000 });
      await ledger.finishClaim('cmd-1', a);

      clock += 60_000; // d1's lease has run out: it died with b unfinished
      expect(await ledger.claim('cmd-1', a, { holder: 'd2', expiresAt: clock + 30_000 })).toBe('done');
      expect(await ledger.claim('cmd-1', b, { holder: 'd2', expiresAt: clock + 30_000 })).toBe('taken-over');
      expect(await ledger.claim('cmd-1', b, { holder: 'd3', expiresAt: clock + 30_000 })).toBe('in-progress');
      await ledger.finishClaim('cmd-1', b);
      expect(await ledger.claim('cmd-1', b, { holder: 'd3', expiresAt: clock + 30_000 })).toBe('done');
    });

    it('gives each target one writer at a time, until the lease is released or runs out', async () => {
      let clock = Date.parse('2026-11-28T00:00:00.000Z');
      const ledger = await open({ now: () => new Date(clock) });
      const a = targetKey(aTarget({ taskId: 'a' }));
      const b = targetKey(aTarget({ taskId: 'b' }));

      const first = await ledger.acquireLeases([a, b], { holder: 'resume', expiresAt: clock + 10_000 });
      const second = await ledger.acquireLeases([a], { holder: 'incident', expiresAt: clock + 10_000 });
      const renewed = await ledger.acquireLeases([a], { holder: 'resume', expiresAt: clock + 20_000 });
      expect([...first.keys()].sort()).toEqual([a, b]);
      expect([...second.keys()]).toEqual([]);
      expect([...renewed.keys()]).toEqual([a]);

      await ledger.releaseLeases([a], 'incident'); // not its lease: nothing changes
      expect([...(await ledger.acquireLeases([a], { holder: 'incident', expiresAt: clock + 10_000 })).keys()]).toEqual([]);
      await ledger.releaseLeases([a], 'resume');
      expect([...(await ledger.acquireLeases([a], { holder: 'incident', expiresAt: clock + 10_000 })).keys()]).toEqual([a]);

      clock += 15_000; // the resume's lease on b has run out
      expect([...(await ledger.acquireLeases([b], { holder: 'incident', expiresAt: clock + 10_000 })).keys()]).toEqual([b]);
    });

    it('lets exactly one of many racing writers take a target', async () => {
      const ledger = await open();
      const key = targetKey(aTarget());
      const won = await Promise.all(
        Array.from({ length: 8 }, (_, i) => ledger.acquireLeases([key], { holder: `w${i}`, expiresAt: Date.now() + 60_000 })),
      );
      expect(won.filter((s) => s.has(key))).toHaveLength(1);
    });

    it('keeps a hold pending until it is confirmed, and reads the holds of given targets only', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      const b = aTarget({ taskId: 'b' });
      await ledger.recordPause(aPauseRecord(a, { source: 'INC-1', status: 'pending' }));
      await ledger.recordPause(aPauseRecord(a, { source: 'window:x', status: 'held' }));
      await ledger.recordPause(aPauseRecord(b, { source: 'INC-1', status: 'pending' }));
      await ledger.recordPause(aPauseRecord(b, { source: 'INC-1', status: 'held' }));

      const ofA = await ledger.holdsOf([targetKey(a)]);
      expect(ofA.map((h) => `${h.source}:${h.status}`).sort()).toEqual(['INC-1:pending', 'window:x:held']);
      expect((await ledger.holdsOf([targetKey(b)])).map((h) => h.status)).toEqual(['held']);
      expect(await ledger.holdsOf([])).toEqual([]);
    });

    it('hands each leased target its holds as read under the lease, and changes them only for the lease holder', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      const b = aTarget({ taskId: 'b' });
      const [ka, kb] = [targetKey(a), targetKey(b)];
      await ledger.recordPause(aPauseRecord(a, { source: 'window:x' }));
      await ledger.recordPause(aPauseRecord(a, { source: 'INC-1' }));
      const lease = { holder: 'resume', expiresAt: Date.now() + 60_000 };

      const leased = await ledger.acquireLeases([ka, kb], lease);
      expect(
        leased
          .get(ka)
          ?.map((h) => h.source)
          .sort(),
      ).toEqual(['INC-1', 'window:x']);
      expect(leased.get(kb)).toEqual([]);

      await ledger.changeHolds('someone-else', [{ key: ka, removeAll: true }], { releaseLease: true });
      expect(await ledger.holdsOf([ka])).toHaveLength(2);

      await ledger.changeHolds(
        'resume',
        [
          { key: ka, remove: ['window:x'], put: [aPauseRecord(a, { source: 'INC-1', status: 'held', reason: 'renewed' })] },
          { key: kb, put: [aPauseRecord(b, { source: 'INC-2', status: 'pending' })] },
        ],
        { releaseLease: false },
      );
      expect((await ledger.holdsOf([ka, kb])).map((h) => `${h.target.taskId}:${h.source}:${h.reason}`).sort()).toEqual([
        'a:INC-1:renewed',
        'b:INC-2:test',
      ]);
      // Still leased: nobody else may change them; once released with the last change, they are free.
      expect([...(await ledger.acquireLeases([ka], { holder: 'other', expiresAt: Date.now() + 60_000 })).keys()]).toEqual([]);
      await ledger.changeHolds('resume', [{ key: ka, removeAll: true }, { key: kb }], { releaseLease: true });
      expect(await ledger.holdsOf([ka])).toEqual([]);
      expect(
        [...(await ledger.acquireLeases([ka, kb], { holder: 'other', expiresAt: Date.now() + 60_000 })).keys()].sort(),
      ).toEqual([ka, kb].sort());
    });

    it('lists one source’s holds, and every hold, in pages', async () => {
      const ledger = await open();
      for (let i = 0; i < 30; i++) {
        const target = aTarget({ taskId: `t${i}` });
        await ledger.recordPause(aPauseRecord(target, { source: i % 3 === 0 ? 'INC-1' : 'window:x' }));
      }
      const incident = await collectHolds(ledger.holdsOfSource('INC-1'));
      const window = await collectHolds(ledger.holdsOfSource('window:x'));
      const all = await collectHolds(ledger.allHolds());

      expect(incident.map((h) => h.target.taskId).sort()).toEqual([
        't0',
        't12',
        't15',
        't18',
        't21',
        't24',
        't27',
        't3',
        't6',
        't9',
      ]);
      expect(window).toHaveLength(20);
      expect(all).toHaveLength(30);
      expect(await collectHolds(ledger.holdsOfSource('nobody'))).toEqual([]);
    });

    it('finishes a target’s claim in the command’s own scope when its outcome is recorded', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      const lease = { holder: 'd1', expiresAt: Date.now() + 60_000 };
      await ledger.claim('cmd-1', targetKey(a), lease);

      await ledger.recordOutcomes('cmd-1', [anOutcome({ target: a, outcome: 'paused' })]);

      expect(await ledger.claim('cmd-1', targetKey(a), { ...lease, holder: 'd2' })).toBe('done');
      expect((await ledger.outcomesOf('cmd-1')).map((o) => o.outcome)).toEqual(['paused']);
    });

    it('treats odd keys and sources as data (no prototype tricks)', async () => {
      const ledger = await open();
      const odd = aTarget({ taskId: '__proto__' });
      await ledger.recordPause(aPauseRecord(odd, { source: 'constructor' }));

      expect((await ledger.pausedByUs()).map((h) => h.target.taskId)).toEqual(['__proto__']);
      expect(await ledger.claim('__proto__', targetKey(odd), { holder: 'x', expiresAt: Date.now() + 1000 })).toBe('claimed');
      await ledger.recordOutcomes('__proto__', [anOutcome({ target: odd })]);
      expect((await ledger.outcomesOf('__proto__')).map((o) => o.target.taskId)).toEqual(['__proto__']);
      expect(await ledger.claim('__proto__', targetKey(odd), { holder: 'y', expiresAt: Date.now() + 1000 })).toBe('done');
    });

    it('answers "what happened to this task, and in which command" oldest first', async () => {
      const ledger = await open();
      const a = aTarget({ taskId: 'a' });
      const b = aTarget({ taskId: 'b' });
      await ledger.recordOutcomes('cmd-09', [
        anOutcome({ target: a, outcome: 'paused', finishedAt: '2026-11-28T00:00:05.000Z' }),
      ]);
      await ledger.recordOutcomes('cmd-09', [
        anOutcome({ target: b, outcome: 'paused', finishedAt: '2026-11-28T00:00:06.000Z' }),
      ]);
      await ledger.recordOutcomes('cmd-18', [
        anOutcome({ target: a, outcome: 'resumed', finishedAt: '2026-11-28T09:00:05.000Z' }),
      ]);

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
