/**
 * Writes config/providers.json, the provider list serverless.yml takes its per-provider resources from
 * (config/providers.cjs), from the manifests in lib/providers. Run it (`npm run providers`) after adding a
 * provider; tests/unit/providers/registry.test.ts fails until you do.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROVIDER_MANIFESTS } from '../lib/providers/keys';

export const PROVIDERS_CONFIG_PATH = join(import.meta.dirname, '../config/providers.json');

/** CloudFormation logical-id form of a key: `huawei-oms` → `HuaweiOms`. */
export function logicalName(key: string): string {
  return key
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function providersConfig() {
  return {
    providers: PROVIDER_MANIFESTS.map((m) => ({ key: m.key, logical: logicalName(m.key), displayName: m.displayName })),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(PROVIDERS_CONFIG_PATH, `${JSON.stringify(providersConfig(), null, 2)}\n`);
  process.stdout.write(`wrote ${PROVIDERS_CONFIG_PATH}\n`);
}
