/**
 * A second process for tests/integration/ledger-file-process.test.ts: `node --import tsx ledger-child.ts MODE PATH`.
 * Prints one line per event on stdout (JSON), so the test can act on what it has seen.
 * - hold N: opens, records and flushes N holds, prints `flushed`, then waits to be killed (or closes on stdin end).
 * - read [WAIT_MS]: opens (printing `waiting` with the holder), prints the holds' task ids, closes.
 * - loop: records and flushes holds one at a time for ever, printing each one's number once its flush resolved.
 * - exclusive ID: opens, prints `in` with the time, keeps the lock a moment, records a hold ID, closes, prints `out`.
 */
import { FileLedger } from '../../lib/local/ledger-file';
import { aPauseRecord, aTarget } from './factories';

const [mode, path, arg] = process.argv.slice(2);
if (!mode || !path) throw new Error('usage: ledger-child.ts MODE PATH [ARG]');
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

try {
  if (mode === 'hold') {
    const ledger = await FileLedger.open(path);
    for (let i = 0; i < Number(arg ?? 1); i++) await ledger.recordPause(aPauseRecord(aTarget({ taskId: `child-${i}` })));
    await ledger.flush();
    say({ event: 'flushed', pid: process.pid });
    process.stdin.resume();
    process.stdin.on('end', () => void ledger.close());
  } else if (mode === 'read') {
    const ledger = await FileLedger.open(path, {
      waitMs: arg === undefined ? 10_000 : Number(arg),
      pollMs: 20,
      onWait: (holder) => say({ event: 'waiting', ...holder }),
    });
    say({ event: 'holds', taskIds: (await ledger.pausedByUs()).map((h) => h.target.taskId).sort() });
    await ledger.close();
  } else if (mode === 'loop') {
    const ledger = await FileLedger.open(path, { compactLines: 25 });
    for (let i = 0; ; i++) {
      await ledger.recordPause(aPauseRecord(aTarget({ taskId: `loop-${i}` })));
      await ledger.flush();
      say({ event: 'flushed', i });
    }
  } else if (mode === 'exclusive') {
    const ledger = await FileLedger.open(path, { waitMs: 10_000, pollMs: 5 });
    say({ event: 'in', at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await ledger.recordPause(aPauseRecord(aTarget({ taskId: String(arg) })));
    say({ event: 'out', at: Date.now() });
    await ledger.close();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (error) {
  say({ event: 'error', name: (error as Error).name, message: (error as Error).message, pid: (error as { pid?: number }).pid });
  process.exitCode = 3;
}
