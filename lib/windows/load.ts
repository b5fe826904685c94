import { readFile } from 'node:fs/promises';
import { CORE_SCHEMA, load } from 'js-yaml';
import type * as z from 'zod/mini';
import { ConfigError } from '../core/errors';
import { type WindowsFile, windowsFileSchema } from './schema';

/** A windows file that cannot be used; `problems` each name the window and the field. */
export class WindowsFileError extends ConfigError {
  override name = 'WindowsFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** The windows file has no file for this stage. */
export class NoWindowsFileError extends ConfigError {
  override name = 'NoWindowsFileError';
}

/** `config/windows.<stage>.yaml`, relative to the project directory. */
export function windowsFilePath(stage: string): string {
  return `config/windows.${stage}.yaml`;
}

/**
 * Parses a windows document (already read from YAML). Every problem is reported at once, each as
 * `window "<name>": <field>: <what is wrong>`; two windows of one name are a problem too (each is the source of its
 * holds, so they would release each other's).
 */
export function parseWindowsFile(document: unknown, source: string): WindowsFile {
  const parsed = windowsFileSchema.safeParse(document);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, document));
  if (parsed.success) {
    const seen = new Set<string>();
    for (const w of parsed.data.windows) {
      if (seen.has(w.name)) problems.push(`window "${w.name}": name: two windows are named ${w.name}; names must be unique`);
      seen.add(w.name);
    }
  }
  if (problems.length > 0 || !parsed.success) throw new WindowsFileError(source, problems);
  return parsed.data;
}

/** Reads and parses a windows file; a missing file is a NoWindowsFileError naming the path. */
export async function loadWindowsFile(path: string): Promise<WindowsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NoWindowsFileError(`no windows file ${path}`);
    throw new ConfigError(`cannot read ${path} (${code ?? 'error'})`);
  }
  return parseWindowsText(text, path);
}

/** Parses the text of a windows file (YAML; dates stay strings: the core schema has no timestamps). */
export function parseWindowsText(text: string, source: string): WindowsFile {
  let document: unknown;
  try {
    document = load(text, { filename: source, schema: CORE_SCHEMA });
  } catch (cause) {
    throw new WindowsFileError(source, [`not valid YAML: ${(cause as Error).message.split('\n')[0]}`]);
  }
  return parseWindowsFile(document, source);
}

function describeIssue(issue: z.core.$ZodIssue, document: unknown): string {
  const [top, index, ...rest] = issue.path;
  if (top === 'windows' && typeof index === 'number') {
    const field = rest.map(String).join('.');
    return `window "${nameAt(document, index)}": ${field || '(window)'}: ${issue.message}`;
  }
  return `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`;
}

/** The window's name as written, or its position when it has none. */
function nameAt(document: unknown, index: number): string {
  if (typeof document === 'object' && document !== null && 'windows' in document && Array.isArray(document.windows)) {
    const entry: unknown = document.windows[index];
    if (typeof entry === 'object' && entry !== null && 'name' in entry && typeof entry.name === 'string') return entry.name;
  }
  return `#${index + 1}`;
}
