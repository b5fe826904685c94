import { parseArgs } from 'node:util';
import { ACTION_FLAGS } from './action-flags';
import type { CliCommand } from './command';
import { UsageError } from './errors';
import type { FlagTable, FlagValues } from './flags';
import { didYouMean } from './suggest';

/**
 * The command's flags from argv (the verb already taken off). A flag it does not take, a flag without its value or
 * a word too many is a UsageError naming the flag; parseArgs' own errors are not shown, since they quote
 * the option table rather than what was typed.
 */
export function parseFlags<F extends FlagTable>(
  command: CliCommand<F>,
  argv: string[],
): { values: FlagValues<F>; positionals: string[] } {
  const flags: FlagTable = command.flags;
  const usage = (message: string) => new UsageError(message, command);
  const { tokens } = parseArgs({ args: argv, options: command.flags, allowPositionals: true, strict: false, tokens: true });
  let positionals = 0;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals++;
      if (positionals > (command.positionals ?? 0)) {
        throw usage(`unexpected word "${token.value}" (quote a value that has spaces, e.g. --reason "INC-1 over")`);
      }
      continue;
    }
    if (token.kind !== 'option') continue;
    const spec = flags[token.name];
    if (!spec && Object.hasOwn(ACTION_FLAGS, token.name)) {
      // A flag of other commands: a suggestion among this one's flags would mislead (--provider is not --profile).
      throw usage(`${command.name} does not take ${token.rawName}`);
    }
    if (!spec) {
      const suggestion = didYouMean(
        `--${token.name}`,
        Object.keys(flags).map((f) => `--${f}`),
      );
      throw usage(`unknown flag ${token.rawName}${suggestion}`);
    }
    if (spec.type === 'string' && token.value === undefined) throw usage(`${token.rawName} needs a value`);
    if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      throw usage(
        `${token.rawName} needs a value, not the flag ${token.value} (a value that starts with - is written ${token.rawName}=VALUE)`,
      );
    }
    if (spec.type === 'boolean' && token.inlineValue) throw usage(`${token.rawName} takes no value`);
  }
  const { values, positionals: words } = parseArgs({
    args: argv,
    options: command.flags,
    allowPositionals: true,
    strict: true,
  });
  return { values, positionals: words };
}
