import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { type FlagTable, PROVIDER_NAMES } from '../flags';

const USAGE = 'usage: migration-pauser simulator [--port P] [--scenario FILE] [--json]';

const FLAGS = {
  port: { type: 'string' },
  scenario: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagTable;

export default defineCommand({
  name: 'simulator',
  usage: USAGE,
  flags: FLAGS,
  help: `Runs the provider simulator (${PROVIDER_NAMES}) in the foreground and prints an accounts file and the
export lines with its fake keys. Stop it with Ctrl-C.

options:
  --port P              listen on this port (default: any free port)
  --scenario FILE       a scenario JSON file instead of the generated fleet
  --json                print one JSON line {url, tasks, accounts, env} instead

example:
  migration-pauser simulator --port 4599

exit codes: 0 stopped, 2 bad input`,
  async run({ values }) {
    const port = values.port ? Number(values.port) : 0;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new UsageError(`--port ${values.port} is not a port number`, { name: 'simulator', usage: USAGE });
    }
    const { runSimulatorForeground } = await import('../../sim');
    await runSimulatorForeground({ port, scenarioPath: values.scenario, json: values.json });
    return EXIT.ok;
  },
});
