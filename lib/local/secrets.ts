import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SecretError } from '../core/errors';
import type { SecretSource } from '../core/secrets';

export interface LocalSecretOptions {
  /** Where `env:NAME` refs are read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Base directory of relative `file:` paths (default the current directory). */
  baseDir?: string;
}

/**
 * Secrets for running on one machine: `env:NAME` (the variable holds the secret's JSON) and
 * `file:PATH#key` (a JSON file; `#key` picks one entry of it). Other schemes belong to other sources.
 */
export function createLocalSecretSource(options: LocalSecretOptions = {}): SecretSource {
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? process.cwd();
  const cache = new Map<string, Promise<Record<string, unknown>>>();

  async function load(ref: string): Promise<Record<string, unknown>> {
    if (ref.startsWith('env:')) {
      const name = ref.slice(4);
      const text = env[name];
      if (text === undefined) {
        throw new SecretError(
          `secret ${ref}: environment variable ${name} is not set — export ${name} with the account's keys as one JSON object (the README, Accounts file, lists each provider's fields), e.g. export ${name}="$(cat secret.json)"`,
          ref,
        );
      }
      return asObject(parseJson(text, ref), ref);
    }
    if (ref.startsWith('file:')) {
      const [path = '', key] = ref.slice(5).split('#', 2);
      let text: string;
      try {
        text = await readFile(resolve(baseDir, path), 'utf8');
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? 'error';
        const next =
          code === 'ENOENT'
            ? `create ${resolve(baseDir, path)} holding the account's keys as JSON, or fix the path in the accounts file (relative paths start at ${baseDir})`
            : `make ${resolve(baseDir, path)} readable by this user`;
        throw new SecretError(`secret ${ref}: cannot read ${path} (${code}) — ${next}`, ref);
      }
      const json = asObject(parseJson(text, ref), ref);
      if (key === undefined) return json;
      if (!Object.hasOwn(json, key)) {
        throw new SecretError(
          `secret ${ref}: ${path} has no entry "${key}" — add "${key}": {…the account's keys…} to the JSON object in ${path}`,
          ref,
        );
      }
      return asObject(json[key], ref);
    }
    if (ref.startsWith('aws:') || ref.startsWith('arn:')) {
      // The accounts file of a stage is often copied for a local run: its Secrets Manager references are read by
      // the deployed functions, which local mode is not.
      throw new SecretError(
        `secret ${ref}: a Secrets Manager reference needs a stage — run with --stage STAGE to act through the deployed functions, which read it, or give this account an env:NAME or file:PATH#key secret for local mode`,
        ref,
      );
    }
    throw new SecretError(`secret ${ref}: unknown reference (use env:NAME or file:PATH#key locally)`, ref);
  }

  return {
    get(ref) {
      let value = cache.get(ref);
      if (!value) {
        value = load(ref);
        cache.set(ref, value);
        value.catch(() => cache.delete(ref));
      }
      return value;
    },
    invalidate(ref) {
      cache.delete(ref);
    },
  };
}

function parseJson(text: string, ref: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message can quote the text, which is the secret: say only where it is.
    throw new SecretError(`secret ${ref} is not valid JSON — ${fixJson(ref)}`, ref);
  }
}

function asObject(value: unknown, ref: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SecretError(`secret ${ref} is not a JSON object — ${fixJson(ref)}`, ref);
  }
  return value as Record<string, unknown>;
}

/** Where to correct a local secret that is not a JSON object of the account's keys. */
function fixJson(ref: string): string {
  if (ref.startsWith('env:')) return `set ${ref.slice(4)} to one JSON object of the account's keys (check its quoting)`;
  const [path = '', key] = ref.slice(5).split('#', 2);
  return key === undefined
    ? `make ${path} one JSON object of the account's keys`
    : `make the entry "${key}" of ${path} a JSON object of the account's keys`;
}
