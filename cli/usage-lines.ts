import { COMMAND_NAMES } from './commands/names';
import type { UsageError } from './errors';

/** A usage error as three lines: what is wrong, the usage line, and where the rest is — not the whole help. */
export function usageLines(error: UsageError): string {
  const name = error.command ? `migration-pauser ${error.command.name}` : 'migration-pauser';
  const usage = error.command?.usage ?? `usage: migration-pauser <command> [flags]   (commands: ${COMMAND_NAMES.join(', ')})`;
  return `${name}: ${error.message}\n${usage}\nmore: ${name} --help`;
}
