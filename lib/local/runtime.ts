import { join } from 'node:path';
import type { AccountsFile } from '../config';
import type { FailureSink } from '../core/failures';
import type { Ledger } from '../core/ledger';
import type { RunDeps } from '../core/run';
import type { SecretSource } from '../core/secrets';
import { AccountSessions, type AdapterRegistry } from '../core/sessions';
import { FileFailureSink } from './failures';
import { FileLedger, type FileLedgerOptions } from './ledger-file';

export interface LocalRuntimeOptions {
  accounts: AccountsFile;
  adapters: AdapterRegistry;
  secrets: SecretSource;
  /** Directory of the embedded ledger and failures file (default `.migration-pauser`). */
  stateDir?: string;
  ledger?: Ledger;
  /** How the embedded ledger is opened when no `ledger` is given (how long to wait for its lock, …). */
  ledgerOptions?: FileLedgerOptions;
  failures?: FailureSink;
}

export interface LocalRuntime extends RunDeps {
  stateDir: string;
  /** Closes the embedded ledger this runtime opened (flush, compact, release the state directory's lock). */
  close(): Promise<void>;
}

/**
 * The embedded default: everything in this process, state in files under one directory. Unless a ledger is given,
 * it holds the state directory's ledger lock until `close()`: call it on every path out.
 */
export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const stateDir = options.stateDir ?? '.migration-pauser';
  const owned = options.ledger ? undefined : await FileLedger.open(join(stateDir, 'ledger.json'), options.ledgerOptions);
  return {
    stateDir,
    sessions: new AccountSessions(options.accounts.accounts, options.adapters, options.secrets),
    ledger: options.ledger ?? (owned as FileLedger),
    failures: options.failures ?? new FileFailureSink(join(stateDir, 'failures.jsonl')),
    close: async () => owned?.close(),
  };
}
