import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';

const packageSchema = z.object({ name: z.string(), version: z.string() });

/** `migration-pauser --version`: the package's version, the one thing to quote when asking for help. */
export async function versionLine(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  const { name, version } = packageSchema.parse(JSON.parse(text));
  return `${name} ${version} (node ${process.versions.node})`;
}
