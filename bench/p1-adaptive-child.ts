/**
 * One worker of P1 adaptive's shared-account row: takes 1/workers of each account's starting rate, asks the parent
 * (over the IPC channel) for the next chunk of an account whenever it has room for one, and executes each with
 * runWorkMessage, as the deployed worker executes a message from its work queue. It talks to the other workers not
 * at all: they share only the parent's work pool and the simulator's buckets. Says `ready` once loaded, and `done`
 * with its outcomes when no account has work left.
 */
import { readFile } from 'node:fs/promises';
import { parseAccounts } from '../lib/config';
import { chunkConcurrency } from '../lib/core/dispatch';
import { runWorkMessage } from '../lib/core/run';
import { type AccountHandle, AccountSessions } from '../lib/core/sessions';
import type { TargetOutcome } from '../lib/core/types';
import type { WorkMessage } from '../lib/core/work';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import type { ToParent, ToWorker, WorkerInput } from './p1-adaptive';

const inputFile = process.argv[2];
if (!inputFile || !process.send) throw new Error('usage: p1-adaptive-child.ts INPUT.json, spawned with an IPC channel');
const send = (message: ToParent) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));
const input = JSON.parse(await readFile(inputFile, 'utf8')) as WorkerInput;
const sessions = new AccountSessions(
  parseAccounts(input.accountsFile).accounts,
  adapters,
  createLocalSecretSource({ env: input.secretEnv }),
  { runners: Object.fromEntries(PROVIDER_KEYS.map((key) => [key, input.workers])) },
);
const deps = { sessions, ledger: new MemoryLedger(), failures: new MemoryFailureSink() };

const asked = new Map<number, (message: WorkMessage | undefined) => void>();
let lastAsk = 0;
process.on('message', (message: ToWorker) => {
  asked.get(message.ask)?.(message.work ?? undefined);
  asked.delete(message.ask);
});
const nextChunk = (account: string) =>
  new Promise<WorkMessage | undefined>((resolve) => {
    lastAsk += 1;
    asked.set(lastAsk, resolve);
    void send({ kind: 'next', ask: lastAsk, account });
  });

/**
 * Executes the account's chunks until the pool has none left, as many at once as runChunks would run in one process
 * (chunkConcurrency, asked again as each ends: it grows with the rate the account's limiter learns).
 */
function drain(account: AccountHandle, outcomes: TargetOutcome[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let active = 0;
    let empty = false;
    const pump = () => {
      while (!empty && active < chunkConcurrency(account)) {
        active += 1;
        nextChunk(account.config.name)
          .then(async (work) => {
            if (work) outcomes.push(...(await runWorkMessage(work, deps)).outcomes);
            else empty = true;
            active -= 1;
            if (empty && active === 0) resolve();
            else pump();
          })
          .catch(reject);
      }
    };
    pump();
  });
}

// Load what the first request needs (fetch's undici, each account's secret and session) before saying ready: the
// clock is to measure the run, not module loading on a shared 2-core machine.
await fetch('data:,');
await Promise.all(sessions.all().map((handle) => sessions.session(handle.config.name)));
await send({ kind: 'ready' });
const outcomes: TargetOutcome[] = [];
await Promise.all(sessions.all().map((account) => drain(account, outcomes)));
await send({ kind: 'done', outcomes });
process.disconnect();
