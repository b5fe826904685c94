import { SIM_GATEWAYS } from './gateway';
import type { AccountsFileOptions, SimAccount } from './types';

/** `ncp-main` → `MP_SIM_NCP_MAIN`: the env variable that holds this account's secret JSON. */
export function secretEnvName(account: SimAccount): string {
  return `MP_SIM_${account.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** An accounts file (the shape lib/config.ts parses) pointing every account at the simulator. */
export function buildAccountsFile(accounts: readonly SimAccount[], url: string, options: AccountsFileOptions = {}) {
  return {
    accounts: accounts.map((account) => {
      const entry: Record<string, unknown> = {
        name: account.name,
        provider: account.provider,
        region: account.region,
        endpoint: url,
        secret: `env:${secretEnvName(account)}`,
      };
      if (account.projectId !== undefined) entry.projectId = account.projectId;
      Object.assign(entry, SIM_GATEWAYS[account.provider].accountFields?.(account, url));
      if (options.confirm !== undefined) entry.confirm = { ...options.confirm };
      if (options.rateLimit !== undefined) entry.rateLimit = { ...options.rateLimit };
      return entry;
    }),
  };
}

/** env name → secret JSON, in the shape the account's provider takes (its gateway's `secretOf`). */
export function buildSecretEnv(accounts: readonly SimAccount[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const account of accounts) {
    const secret = SIM_GATEWAYS[account.provider].secretOf(account);
    env[secretEnvName(account)] = JSON.stringify(secret);
  }
  return env;
}
