import type { FlagTable, FlagValues } from './flags';
import type { CliIo } from './io';

/** What a command's run gets: its parsed flags, the words after its name, and the streams. */
export interface CommandContext<F extends FlagTable> {
  values: FlagValues<F>;
  positionals: string[];
  io: CliIo;
}

/**
 * One migration-pauser command, in its own module under cli/commands (the shape of citty's defineCommand: meta,
 * args, run), so that a command is read, changed and tested on its own and main.ts only dispatches.
 */
export interface CliCommand<F extends FlagTable = FlagTable> {
  /** The verb, e.g. `pause`. */
  name: string;
  /** The usage line, printed on a bad flag and at the top of --help. */
  usage: string;
  /** The flags it takes; any other is refused (with the nearest one suggested). */
  flags: F;
  /** How many words may follow the verb (plan: one, the action). */
  positionals?: number;
  /** Everything after the usage line in --help: description, options, example, exit codes. */
  help: string;
  run(context: CommandContext<F>): Promise<number>;
}

/** Keeps the flag table's literal type, so `values` is typed from it. */
export function defineCommand<F extends FlagTable>(command: CliCommand<F>): CliCommand<F> {
  return command;
}
