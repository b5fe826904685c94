import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_KEYS, PROVIDER_MANIFESTS } from '../../../lib/providers/keys';
import { adapters, moduleOf } from '../../../lib/providers/registry';
import { providersConfig } from '../../../scripts/write-providers-config';

const ROOT = join(import.meta.dirname, '../../..');

async function sourcesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
  );
}

describe('the provider registry', () => {
  it('has a module, with its own folder, for every provider key, and nothing else', async () => {
    const folders = (await readdir(join(ROOT, 'lib/providers'), { withFileTypes: true }))
      .filter((e) => e.isDirectory() && e.name !== 'huawei')
      .map((e) => e.name)
      .sort();
    expect([...PROVIDER_KEYS].sort()).toEqual(folders);
    expect(Object.keys(adapters).sort()).toEqual(folders);
    for (const key of PROVIDER_KEYS) {
      const module = moduleOf(key);
      expect(module.adapter.key).toBe(key);
      expect(module.manifest.key).toBe(key);
    }
    expect(new Set(PROVIDER_MANIFESTS.map((m) => m.shortName)).size).toBe(PROVIDER_MANIFESTS.length);
  });

  it('is what serverless.yml builds its per-provider queues, alarms and event sources from (npm run providers)', async () => {
    const written = JSON.parse(await readFile(join(ROOT, 'config/providers.json'), 'utf8'));
    expect(written).toEqual(providersConfig());
    expect(written.providers.map((p: { key: string }) => p.key)).toEqual([...PROVIDER_KEYS]);
  });

  it('declares only capabilities that the core reads', async () => {
    const core = (await Promise.all(['lib/core', 'lib/http', 'lib/aws', 'cli'].map(sourcesUnder))).flat().join('\n');
    for (const key of PROVIDER_KEYS) {
      for (const capability of Object.keys(adapters[key].capabilities)) {
        expect(core, `${key} declares ${capability}, which nothing outside lib/providers reads`).toMatch(
          new RegExp(`capabilities\\??\\.${capability}\\b|\\{[^}]*\\b${capability}\\b[^}]*\\}\\s*=\\s*[\\w.]*capabilities\\b`),
        );
      }
    }
  });
});
