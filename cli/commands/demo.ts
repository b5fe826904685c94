import { defineCommand } from '../command';
import type { FlagTable } from '../flags';

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

Some targets fail on purpose: the simulator refuses two tasks per provider, to show the failure path. Those
failures are simulated and expected, and the demo says so. Any other failure is real (a bug, or a broken setup):
the demo names it and exits 1.

example:
  migration-pauser demo

exit codes: 0 every failure was one the simulator made on purpose, 1 some other target or account failed`,
  async run({ values, io }) {
    const { runDemo } = await import('../demo');
    return runDemo(io, { json: values.json === true });
  },
});
