/**
 * One P3 measurement in a fresh process (so peak RSS is this size's alone): plan + dispatch of N running targets
 * over 4 providers × 2 accounts, through runCommand with a work queue and inProcessLimit 0. The adapters are
 * fakes whose list returns the tasks from memory (no HTTP), with the real adapters' capabilities (batch limits);
 * the work queue serialises each message as SQS would be sent it, and keeps only the byte count.
 */
import { parseCommand } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import { AccountSessions, type AdapterRegistry } from '../lib/core/sessions';
import type { WorkQueue } from '../lib/core/work';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { adapters as real } from '../lib/providers/registry';
import { PROVIDER_KEYS, type ProviderAdapter, type ProviderKey, type ProviderTask } from '../lib/providers/types';
import { fakeAccounts, noSecrets } from './fake-fleet';

const total = Number(process.argv[2] ?? '1000');
const perAccount = Math.ceil(total / (PROVIDER_KEYS.length * 2));

function fakeAdapter(key: ProviderKey): ProviderAdapter {
  const unused = () => Promise.reject(new Error('P3 never executes: everything is dispatched'));
  return {
    key,
    capabilities: real[key].capabilities,
    open: ({ account }) => ({
      list: async () =>
        Array.from(
          { length: perAccount },
          (_, i): ProviderTask => ({
            provider: key,
            account: account.name,
            taskId: `${account.name}-task-${String(i).padStart(7, '0')}`,
            name: `migration-${i}`,
            state: 'RUNNING',
            phase: 'running',
          }),
        ),
      get: unused,
      pause: unused,
      resume: unused,
    }),
  };
}

const registry = Object.fromEntries(PROVIDER_KEYS.map((k) => [k, fakeAdapter(k)])) as AdapterRegistry;
const accounts = fakeAccounts('p3');
const secrets = noSecrets;
let messages = 0;
let bytes = 0;
const queue: WorkQueue = {
  async send(_provider, batch) {
    for (const message of batch) {
      messages += 1;
      bytes += Buffer.byteLength(JSON.stringify(message));
    }
  },
};

const command = parseCommand({ action: 'pause', scope: { all: true }, reason: 'benchmark P3', requestedBy: 'bench' });
const started = performance.now();
const result = await runCommand(command, {
  sessions: new AccountSessions(accounts.accounts, registry, secrets),
  ledger: new MemoryLedger(),
  failures: new MemoryFailureSink(),
  workQueue: queue,
  inProcessLimit: 0,
});
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    targets: result.plan.targets.length,
    dispatched: result.summary.totals.dispatched ?? 0,
    messages,
    messageBytes: bytes,
    seconds,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  })}\n`,
);
