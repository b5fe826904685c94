import { existsSync } from 'node:fs';
import { type AccountsFile, loadAccountsFile } from '../lib/config';
import { ConfigError } from '../lib/core/errors';
import { AccountsFileError } from './errors';
import { accountsPathOf } from './flags';

/**
 * Local mode's accounts file (--accounts, else $MIGRATION_PAUSER_ACCOUNTS, else ./accounts.json), with the next
 * step added to what lib/config says: it cannot know where the path came from or how to point at another.
 */
export async function loadAccounts(
  values: { accounts?: string },
  env: Record<string, string | undefined>,
): Promise<AccountsFile> {
  const path = accountsPathOf(values, env);
  try {
    return await loadAccountsFile(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const hint = !existsSync(path)
      ? ' — pass --accounts FILE or set MIGRATION_PAUSER_ACCOUNTS (the README shows the format; migration-pauser simulator prints one for the simulator)'
      : ' — fix the named fields (the README, Accounts file, shows each provider\u2019s fields)';
    throw new AccountsFileError(`${error.message}${hint}`, { cause: error });
  }
}
