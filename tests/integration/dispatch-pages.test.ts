import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../lib/core/command';
import { WORK_MESSAGE_TARGETS } from '../../lib/core/dispatch';
import { dispatchCommand, runWorkMessage } from '../../lib/core/run';
import { targetKey } from '../../lib/core/types';
import { MemoryLedger } from '../../lib/local/ledger-memory';
import { MemoryWorkQueue } from '../../lib/local/work-queue-memory';
import { generateScenario } from '../../sim';
import { startFleet } from '../helpers/fleet';

const WINDOW = 'window:business-hours';

describe('a resume dispatched page by page (the commands function)', () => {
  it('sends every held target once, in full messages, and the workers resume them all', async () => {
    // More holds than one page of the ledger (1,000), over four accounts.
    const fleet = await startFleet(
      generateScenario({ seed: 7, tasksPerProvider: 900, accountsPerProvider: 2, providers: ['huawei-drs', 'huawei-oms'] }),
      { ledger: new MemoryLedger() },
    );
    const paused = await fleet.run({ action: 'pause', source: WINDOW });
    const held = (await fleet.ledger.pausedByUs()).map((h) => h.key).sort();
    expect(paused.summary.totals.paused).toBe(held.length);
    expect(held.length).toBeGreaterThan(1_000);

    const workQueue = new MemoryWorkQueue();
    const command = parseCommand({
      action: 'resume',
      scope: { all: true },
      source: WINDOW,
      reason: 'evening',
      requestedBy: 'tests',
    });
    const { summary } = await dispatchCommand(command, {
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue,
    });

    const messages = workQueue.drain();
    const sent = messages.flatMap((m) => m.items.map((i) => targetKey(i.target))).sort();
    expect(sent).toEqual(held);
    expect(summary).toMatchObject({ targets: held.length, totals: { dispatched: held.length } });
    // Pages do not cut messages short: per account, only the last message is less than full.
    for (const account of new Set(messages.map((m) => m.account))) {
      const sizes = messages.filter((m) => m.account === account).map((m) => m.items.length);
      expect(sizes.slice(0, -1).every((n) => n === WORK_MESSAGE_TARGETS)).toBe(true);
      expect(sizes.at(-1)).toBeLessThanOrEqual(WORK_MESSAGE_TARGETS);
    }

    const workers = await Promise.all(
      messages.map((m) => runWorkMessage(m, { sessions: fleet.sessions(), ledger: fleet.ledger, failures: fleet.failures })),
    );
    expect(workers.flatMap((w) => w.outcomes).filter((o) => o.outcome === 'resumed')).toHaveLength(held.length);
    expect(await fleet.ledger.pausedByUs()).toEqual([]);
    expect(fleet.failures.messages).toEqual([]);
  });

  it('sends again, on a second delivery of the command, only what the first one left undone', async () => {
    const fleet = await startFleet(
      generateScenario({ seed: 3, tasksPerProvider: 40, providers: ['huawei-drs', 'ncp-object-migration'] }),
      { ledger: new MemoryLedger() },
    );
    await fleet.run({ action: 'pause', source: WINDOW });
    const held = (await fleet.ledger.pausedByUs()).length;
    const command = parseCommand({
      action: 'resume',
      scope: { all: true },
      source: WINDOW,
      reason: 'evening',
      requestedBy: 'tests',
    });
    const deps = () => ({
      sessions: fleet.sessions(),
      ledger: fleet.ledger,
      failures: fleet.failures,
      workQueue: new MemoryWorkQueue(),
    });

    const first = deps();
    await dispatchCommand(command, first);
    const [message, ...rest] = first.workQueue.drain();
    if (!message) throw new Error('nothing was dispatched');
    await runWorkMessage(message, first);

    // SQS delivers the command again: the message's targets are resumed (their holds gone), and are not sent again.
    const again = deps();
    const { summary } = await dispatchCommand(command, again);
    const resent = again.workQueue.drain().flatMap((m) => m.items.map((i) => targetKey(i.target)));
    expect(resent.sort()).toEqual(rest.flatMap((m) => m.items.map((i) => targetKey(i.target))).sort());
    expect(summary).toMatchObject({ targets: held - message.items.length, totals: { dispatched: held - message.items.length } });
  });
});
