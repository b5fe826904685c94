import { parseArgs } from 'node:util';
import { ACTION_FLAGS } from './action-flags';
import { COMMANDS } from './commands';
import { UsageError } from './errors';
import { EXIT, errorReport } from './exit-codes';
import type { CliIo } from './io';
import { parseFlags } from './parse-flags';
import { askOnTerminal } from './prompt';
import { didYouMean } from './suggest';
import { USAGE } from './usage';
import { versionLine } from './version';

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
    if (argv[0] === '--version' || argv[0] === '-v') {
      io.out(await versionLine());
      return EXIT.ok;
    }
    const at = verbIndex(argv);
    const verb = at === undefined ? undefined : argv[at];
    if (verb === undefined) {
      const [first] = argv;
      if (first !== undefined && !argv.includes('--help') && !argv.includes('-h')) {
        throw new UsageError(`no command before ${first}${didYouMean(first, ['--version', '--help'])}`);
      }
      io.out(USAGE);
      return first === undefined ? EXIT.badInput : EXIT.ok;
    }
    const load = COMMANDS[verb];
    if (!load) throw new UsageError(`unknown command "${verb}"${didYouMean(verb, Object.keys(COMMANDS))}`);
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
 * Where the command's name is: the first word that is not a flag's value. Flags may come first (`--stage prod
 * status`); the action flags' values are skipped by their types, and a known command name wins over other words.
 */
function verbIndex(argv: string[]): number | undefined {
  const { tokens } = parseArgs({ args: argv, options: ACTION_FLAGS, allowPositionals: true, strict: false, tokens: true });
  const words = tokens.filter((t) => t.kind === 'positional');
  return (words.find((t) => Object.hasOwn(COMMANDS, t.value)) ?? words[0])?.index;
}
