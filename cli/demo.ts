import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAccounts } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import { MemoryFailureSink } from '../lib/local/failures';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import { generateScenario, startSimulator } from '../sim';
import { formatFailures, formatSummary } from './format';
import type { CliIo } from './io';

const REFUSING_PER_PROVIDER = 2;

/**
 * `npm start`: the whole flow on the embedded default. Exits 0 when the only failures are the refusals the
 * simulator was told to make, 1 when anything else failed. A simulator with a mixed fleet across the five
 * providers (migrating, already paused by someone else, finished, a few that refuse), an on-disk ledger in a
 * temporary directory, then pause everything, resume what we paused, and show both results.
 */
export async function runDemo(io: CliIo, options: { json?: boolean } = {}): Promise<number> {
  // Two tasks per provider refuse their pause, so the failure path shows too.
  const scenario = generateScenario({ seed: 7, tasksPerProvider: 75, refusingPerProvider: REFUSING_PER_PROVIDER });
  const sim = await startSimulator({ scenario: { ...scenario, transitionMs: 150 } });
  const stateDir = await mkdtemp(join(tmpdir(), 'migration-pauser-demo-'));
  let closeLedger = async () => {};
  try {
    const accounts = parseAccounts(
      sim.accountsFile({ confirm: { intervalMs: 100, deadlineMs: 10_000 }, rateLimit: { perSecond: 50, burst: 20 } }),
    );
    const failures = new MemoryFailureSink();
    const runtime = await createLocalRuntime({
      accounts,
      adapters,
      secrets: createLocalSecretSource({ env: sim.secretEnv() }),
      stateDir,
      failures,
    });
    closeLedger = runtime.close;
    const say = options.json ? () => {} : io.out;
    say(
      `simulator at ${sim.url}: ${scenario.tasks.length} tasks in ${accounts.accounts.length} accounts; state in ${stateDir}\n`,
    );

    const steps = [
      { action: 'pause', reason: 'demo: business hours start, pause every migration' },
      { action: 'resume', reason: 'demo: business hours over, resume what we paused' },
    ] as const;
    // The tasks the simulator was told to refuse: their failures are the demo's, anything else is a real one.
    const refusing = new Set(scenario.tasks.filter((t) => t.failsAction).map((t) => `${t.provider}/${t.account}/${t.id}`));
    const unexpected: string[] = [];
    const totals = [];
    const summaries = [];
    for (const step of steps) {
      const command = parseCommand({ ...step, scope: { all: true }, requestedBy: 'npm start' });
      const result = await runCommand(command, runtime);
      for (const o of result.outcomes) {
        const key = `${o.target.provider}/${o.target.account}/${o.target.taskId}`;
        if (o.outcome === 'failed' && !refusing.has(key)) unexpected.push(`${key}: ${o.reason ?? o.errorClass ?? 'failed'}`);
      }
      for (const f of result.summary.accountFailures) unexpected.push(`account ${f.account}: ${f.reason}`);
      say(formatSummary(result.summary));
      const failed = formatFailures(result, 4);
      if (failed) say(failed);
      say('');
      totals.push(result.summary.totals);
      summaries.push(result.summary);
    }
    const code = unexpected.length > 0 ? 1 : 0;
    if (options.json) {
      io.out(
        JSON.stringify(
          {
            simulator: sim.url,
            tasks: scenario.tasks.length,
            runs: summaries,
            failures: failures.messages.length,
            simulatedRefusals: refusing.size,
            unexpectedFailures: unexpected,
          },
          null,
          2,
        ),
      );
      return code;
    }
    const [paused, resumed] = totals;
    io.out(`${paused?.['already-paused'] ?? 0} tasks were paused by someone else before the demo: they were left paused.`);
    io.out(
      `${paused?.unsupported ?? 0} DCS backup-import tasks could never be restarted once stopped: reported unsupported and left running (--allow-irreversible would stop them).`,
    );
    if (resumed?.unsupported) io.out(`${resumed.unsupported} tasks could not be resumed: reported unsupported, left paused.`);
    io.out(`${failures.messages.length} failures went to the failures queue (in memory here; a file or SQS otherwise).`);
    io.out(
      `The failed targets are simulated and expected: the simulator refuses ${refusing.size} tasks (${REFUSING_PER_PROVIDER} per provider) on purpose, to show the failure path.`,
    );
    if (unexpected.length > 0) {
      io.err(`${unexpected.length} failures were NOT simulated — a bug or a broken setup (exit 1):`);
      for (const line of unexpected.slice(0, 20)) io.err(`  ${line}`);
    }
    return code;
  } finally {
    await closeLedger();
    await sim.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}
