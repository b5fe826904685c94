import { parseArgs } from 'node:util';
import { COMMANDS } from './commands';
import { UsageError } from './errors';
import { EXIT, errorReport } from './exit-codes';
import { MODE_FLAGS, SCOPE_FLAGS } from './flags';
import type { CliIo } from './io';
import { parseFlags } from './parse-flags';
import { askOnTerminal } from './prompt';
import { USAGE } from './usage';

export type { CliIo } from './io';

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  isTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  ask: askOnTerminal,
  progress: process.stderr,
};

/** migration-pauser: finds the command, parses its flags, runs it, and turns what it throws into an exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    const at = verbIndex(argv);
    const verb = at === undefined ? undefined : argv[at];
    if (verb === undefined) {
      const help = argv.includes('--help') || argv.includes('-h');
      io.out(USAGE);
      return help ? EXIT.ok : EXIT.badInput;
    }
    const load = COMMANDS[verb];
    if (!load) throw new UsageError(`unknown command "${verb}"`);
    const command = (await load()).default;
    const rest = argv.filter((_, i) => i !== at);
    // Help wins over every other flag: `pause --stage prod --help` is someone asking, not a mistake.
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`${command.usage}\n\n${command.help}`);
      return EXIT.ok;
    }
    const { values, positionals } = parseFlags(command, rest);
    return await command.run({ values, positionals, io });
  } catch (error) {
    const { code, message } = errorReport(error, io.env);
    io.err(message);
    return code;
  }
}

/**
 * Where the command's name is: the first word that is not a flag's value. Scope and mode flags may come first
 * (`--stage prod status`), so their values are skipped by their types.
 */
function verbIndex(argv: string[]): number | undefined {
  const { tokens } = parseArgs({
    args: argv,
    options: { ...SCOPE_FLAGS, ...MODE_FLAGS },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  return tokens.find((t) => t.kind === 'positional')?.index;
}
