import { CommandValidationError, ConfigError, SecretError } from '../lib/core/errors';
import { hasFailures } from '../lib/core/outcome';
import type { Summary } from '../lib/core/types';
import { LedgerLockedError } from '../lib/local/errors';
import { AccountsFileError, RemoteAccessError, RemoteFunctionError, RemoteInvalidCommandError, UsageError } from './errors';
import { usageLines } from './usage-lines';

export const EXIT = { ok: 0, someFailed: 1, badInput: 2, config: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one mapping from an error's type to the exit code and what the operator reads. Every error a command throws
 * on purpose has a class here; anything else is a bug, reported in one line (the stack only with
 * MIGRATION_PAUSER_DEBUG=1), never a wall of frames at 3 a.m.
 */
export function errorReport(error: unknown, env: Record<string, string | undefined>): { code: ExitCode; message: string } {
  if (error instanceof UsageError) return { code: EXIT.badInput, message: usageLines(error) };
  if (error instanceof CommandValidationError) {
    return { code: EXIT.badInput, message: `bad command:\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}` };
  }
  if (error instanceof RemoteInvalidCommandError) return { code: EXIT.badInput, message: error.message };
  if (
    error instanceof RemoteAccessError ||
    error instanceof SecretError ||
    error instanceof AccountsFileError ||
    error instanceof ConfigError
  ) {
    return { code: EXIT.config, message: error.message };
  }
  if (error instanceof LedgerLockedError) {
    return {
      code: EXIT.config,
      message: `${error.message} — another migration-pauser run is using this state directory; run again later, or wait longer with --wait SECONDS`,
    };
  }
  if (error instanceof RemoteFunctionError) return { code: EXIT.someFailed, message: error.message };
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = env.MIGRATION_PAUSER_DEBUG && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    code: EXIT.someFailed,
    message: `unexpected error: ${text}${stack}${stack ? '' : '\n(set MIGRATION_PAUSER_DEBUG=1 to see where it happened)'}`,
  };
}

/**
 * 3 when an account's credentials were refused or missing, or its endpoint could not be reached (fix the
 * configuration or the network first), 1 for other failures.
 */
export function exitCodeOfSummary(summary: Summary): ExitCode {
  if (summary.accountFailures.some((f) => f.errorClass === 'auth' || f.unreachable)) return EXIT.config;
  if (hasFailures(summary)) return EXIT.someFailed;
  // A resume that leaves tasks paused (unsupported, or skipped) has not done what was asked of it.
  const { unsupported = 0, skipped = 0 } = summary.totals;
  return summary.action === 'resume' && !summary.dryRun && unsupported + skipped > 0 ? EXIT.someFailed : EXIT.ok;
}
