import { defineCommand } from '../command';
import { EXIT_CODES_HELP, type FlagTable } from '../flags';

const FLAGS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagTable;

export default defineCommand({
  name: 'demo',
  usage: 'usage: migration-pauser demo [--json]',
  flags: FLAGS,
  help: `The whole flow against the simulator, with no configuration: starts it with a mixed fleet, pauses everything,
prints the result per provider, resumes what it paused, and exits. Its state lives in a temporary directory
that is removed afterwards. The same as npm start.

example:
  migration-pauser demo

${EXIT_CODES_HELP}`,
  async run({ values, io }) {
    const { runDemo } = await import('../demo');
    return runDemo(io, { json: values.json === true });
  },
});
