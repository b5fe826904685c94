import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario, startSimulator } from '../sim';
import { parseAccounts } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import { MemoryFailureSink } from '../lib/local/failures';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import type { CliIo } from './main';
import { formatFailures, formatSummary } from './format';

/**
 * `npm start`: the whole flow on the embedded default. A simulator with a mixed fleet across the four
 * providers (migrating, already paused by someone else, finished, a few that refuse), an on-disk ledger in a
 * temporary directory, then pause everything, resume what we paused, and show both results.
 */
export async function runDemo(io: CliIo): Promise<number> {
  const scenario = generateScenario({ seed: 7, tasksPerProvider: 75 });
  // A few tasks that the provider refuses to act on, so the failure path shows too.
  for (const task of scenario.tasks.filter((t, i) => i % 97 === 5)) {
    task.failsAction = { code: failureCode(task.provider), message: 'simulated refusal' };
  }
  const sim = await startSimulator({ scenario: { ...scenario, transitionMs: 150 } });
  const stateDir = await mkdtemp(join(tmpdir(), 'migration-pauser-demo-'));
  try {
    const accounts = parseAccounts(sim.accountsFile({ confirm: { intervalMs: 100, deadlineMs: 10_000 } }));
    const failures = new MemoryFailureSink();
    const runtime = await createLocalRuntime({
      accounts,
      adapters,
      secrets: createLocalSecretSource({ env: sim.secretEnv() }),
      stateDir,
      failures,
    });
    io.out(`simulator at ${sim.url}: ${scenario.tasks.length} tasks in ${accounts.accounts.length} accounts; state in ${stateDir}\n`);

    const steps = [
      { action: 'pause', reason: 'demo: business hours start, pause every migration' },
      { action: 'resume', reason: 'demo: business hours over, resume what we paused' },
    ] as const;
    for (const step of steps) {
      const command = parseCommand({ ...step, scope: { all: true }, requestedBy: 'npm start' });
      const result = await runCommand(command, runtime);
      io.out(formatSummary(result.summary));
      const failed = formatFailures(result, 5);
      if (failed) io.out(failed);
      io.out('');
    }
    const untouched = scenario.tasks.filter((t) => isPausedState(t.provider, t.state)).length;
    io.out(`${untouched} tasks were paused by someone else before the demo and were left paused.`);
    io.out(`${failures.messages.length} failures went to the failures queue (here: in memory).`);
    return 0;
  } finally {
    await sim.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function failureCode(provider: string): string {
  switch (provider) {
    case 'huawei-drs':
      return 'DRS.10000011';
    case 'huawei-oms':
      return 'OMS.0063';
    case 'huawei-dcs':
      return 'DCS.4999';
    default:
      return '900';
  }
}

function isPausedState(provider: string, state: string): boolean {
  return ['PAUSED', '3', 'PAUSING', 'TERMINATED'].includes(state) && provider.length > 0;
}
