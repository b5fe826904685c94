import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../cli/bin.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a separate process, as an operator would, on `dir`'s accounts.json and state directory. Never
 * throws on a non-zero exit: the code is part of what a test checks.
 */
export async function runCliIn(dir: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [BIN, ...args, '--accounts', join(dir, 'accounts.json'), '--state-dir', join(dir, 'state')],
      { env, timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as CliRun;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
