import { join } from 'node:path';
import type { AccountsFile } from '../config';
import type { FailureSink } from '../core/failures';
import type { Ledger } from '../core/ledger';
import type { RunDeps } from '../core/run';
import type { SecretSource } from '../core/secrets';
import { AccountSessions, type AdapterRegistry } from '../core/sessions';
import { FileFailureSink } from './failures';
import { FileLedger } from './ledger-file';

export interface LocalRuntimeOptions {
  accounts: AccountsFile;
  adapters: AdapterRegistry;
  secrets: SecretSource;
  /** Directory of the embedded ledger and failures file (default `.migration-pauser`). */
  stateDir?: string;
  ledger?: Ledger;
  failures?: FailureSink;
}

/** The embedded default: everything in this process, state in files under one directory. */
export async function createLocalRuntime(options: LocalRuntimeOptions): Promise<RunDeps & { stateDir: string }> {
  const stateDir = options.stateDir ?? '.migration-pauser';
  return {
    stateDir,
    sessions: new AccountSessions(options.accounts.accounts, options.adapters, options.secrets),
    ledger: options.ledger ?? (await FileLedger.open(join(stateDir, 'ledger.json'))),
    failures: options.failures ?? new FileFailureSink(join(stateDir, 'failures.jsonl')),
  };
}
