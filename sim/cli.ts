import { readFile } from 'node:fs/promises';
import { generateScenario } from './scenario';
import { parseScenario } from './scenario-file';
import { startSimulator } from './server';

/**
 * `migration-pauser simulator --port P --scenario S`: loads the scenario (or generates a mixed fleet), starts,
 * prints the URL, an accounts file and the secret env (all fake keys), and runs until SIGINT/SIGTERM.
 */
export async function runSimulatorForeground(
  options: {
    port?: number;
    scenarioPath?: string;
    host?: string;
    write?: (text: string) => void;
    /** Prints one JSON line (url, task count, accounts file, secret env) instead of the human text. */
    json?: boolean;
  } = {},
): Promise<void> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const scenario =
    options.scenarioPath === undefined
      ? generateScenario()
      : parseScenario(JSON.parse(await readFile(options.scenarioPath, 'utf8')));
  const sim = await startSimulator({ scenario, port: options.port ?? 0, host: options.host });
  if (options.json) {
    const announced = { url: sim.url, tasks: scenario.tasks.length, accounts: sim.accountsFile(), env: sim.secretEnv() };
    write(`${JSON.stringify(announced)}\n`);
  } else {
    write(`simulator listening at ${sim.url} (${scenario.tasks.length} tasks, ${scenario.accounts.length} accounts)\n`);
    write(`accounts file:\n${JSON.stringify(sim.accountsFile(), null, 2)}\n`);
    write('secret env (fake keys for the simulator only):\n');
    for (const [name, value] of Object.entries(sim.secretEnv())) write(`export ${name}='${value}'\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
}
