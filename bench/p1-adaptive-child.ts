/**
 * One worker of P1 adaptive's shared-account row: pauses its own task ids across every account, taking 1/workers of
 * each account's starting rate, and talks to the other workers not at all (they share only the simulator's
 * buckets). Prints `ready` once loaded, runs when its stdin says so, then prints its outcomes as one JSON line.
 */
import { readFile } from 'node:fs/promises';
import { parseAccounts } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import { AccountSessions } from '../lib/core/sessions';
import { targetKey } from '../lib/core/types';
import { MemoryFailureSink } from '../lib/local/failures';
import { MemoryLedger } from '../lib/local/ledger-memory';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import type { WorkerInput, WorkerOutput } from './p1-adaptive';

const inputFile = process.argv[2];
if (!inputFile) throw new Error('usage: p1-adaptive-child.ts INPUT.json');
const input = JSON.parse(await readFile(inputFile, 'utf8')) as WorkerInput;
const sessions = new AccountSessions(
  parseAccounts(input.accountsFile).accounts,
  adapters,
  createLocalSecretSource({ env: input.secretEnv }),
  { runners: Object.fromEntries(PROVIDER_KEYS.map((key) => [key, input.workers])) },
);
const command = parseCommand({
  action: 'pause',
  scope: { taskIds: input.taskIds },
  reason: 'benchmark P1 adaptive, one of several workers',
  requestedBy: 'bench',
});
// Load what the first request needs (fetch's undici, each account's secret and session) before saying ready: the
// clock is to measure the run, not module loading on a shared 2-core machine.
await fetch('data:,');
await Promise.all(sessions.all().map((handle) => sessions.session(handle.config.name)));
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const result = await runCommand(command, { sessions, ledger: new MemoryLedger(), failures: new MemoryFailureSink() });
const output: WorkerOutput = { outcomes: result.outcomes, planned: result.plan.targets.map((p) => targetKey(p.target)) };
process.stdout.write(`${JSON.stringify(output)}\n`);
