import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../../lib/providers/registry';
import { PROVIDER_KEYS } from '../../../lib/providers/types';

const PROVIDERS_DIR = join(import.meta.dirname, '../../../lib/providers');
/** Folders under lib/providers that are shared code, not a provider. */
const SHARED = new Set(['huawei']);

describe('provider registry', () => {
  it('registers one adapter per provider key, under its own key', () => {
    expect(Object.keys(adapters).sort()).toEqual([...PROVIDER_KEYS].sort());
    for (const key of PROVIDER_KEYS) expect(adapters[key].key).toBe(key);
  });

  it('has a registry entry for every provider folder, and a folder for every entry', async () => {
    const entries = await readdir(PROVIDERS_DIR, { withFileTypes: true });
    const folders = entries.filter((e) => e.isDirectory() && !SHARED.has(e.name)).map((e) => e.name);

    expect(folders.sort()).toEqual([...PROVIDER_KEYS].sort());
  });

  it.each(PROVIDER_KEYS)('runs the shared adapter contract against %s', async (key) => {
    const test = await readFile(join(import.meta.dirname, `../../integration/providers/${key}.test.ts`), 'utf8');
    expect(test).toMatch(new RegExp(`describeAdapterContract\\('${key}'`));
  });

  it.each(PROVIDER_KEYS)('declares sane capabilities for %s', (key) => {
    const { capabilities } = adapters[key];
    expect(capabilities.batchLimit).toBeGreaterThanOrEqual(1);
    expect(capabilities.confirm.intervalMs).toBeLessThan(capabilities.confirm.deadlineMs);
    expect(capabilities.rateLimit.perSecond).toBeGreaterThan(0);
    expect(capabilities.describe.length).toBeGreaterThan(10);
  });
});
