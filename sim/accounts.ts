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
      if (options.confirm !== undefined) entry.confirm = { ...options.confirm };
      if (options.rateLimit !== undefined) entry.rateLimit = { ...options.rateLimit };
      return entry;
    }),
  };
}

/** env name → secret JSON: NCP `{accessKey, secretKey}`; Huawei `{ak, sk, projectId, oms?}`. */
export function buildSecretEnv(accounts: readonly SimAccount[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const account of accounts) {
    const secret =
      account.provider === 'ncp-object-migration'
        ? { accessKey: account.accessKey, secretKey: account.secretKey }
        : {
            ak: account.accessKey,
            sk: account.secretKey,
            projectId: account.projectId,
            ...(account.oms !== undefined ? { oms: { ...account.oms } } : {}),
          };
    env[secretEnvName(account)] = JSON.stringify(secret);
  }
  return env;
}
