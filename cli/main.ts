import { parseArgs } from 'node:util';
import { loadAccountsFile } from '../lib/config';
import { type CommandInput, parseCommand } from '../lib/core/command';
import { CommandValidationError, ConfigError, SecretError } from '../lib/core/errors';
import { hasFailures } from '../lib/core/outcome';
import { runCommand } from '../lib/core/run';
import type { Summary } from '../lib/core/types';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import { formatFailures, formatHistory, formatHolds, formatPauseKinds, formatSummary } from './format';

export const EXIT = { ok: 0, someFailed: 1, badInput: 2, config: 3 } as const;

const USAGE = `migration-pauser — pause and resume migration tasks across NAVER Cloud and Huawei Cloud

usage:
  migration-pauser plan pause|resume [scope] --reason TEXT   show what would happen, change nothing
  migration-pauser pause  [scope] --reason TEXT              pause tasks in scope and remember them
  migration-pauser resume [scope] --reason TEXT              resume only what this tool paused
  migration-pauser status                                    what we hold paused now, by source and provider
  migration-pauser history --task P/ACCOUNT/ID | --command ID [--since TIME]   the audit trail
  migration-pauser simulator [--port P] [--scenario FILE]    run the provider simulator in the foreground
  migration-pauser demo                                      the whole flow against the simulator (npm start)

scope (combine freely; repeat a flag for several values):
  --all | --provider KEY | --account NAME | --task ID | --name GLOB
  --exclude-provider KEY | --exclude-account NAME | --exclude-task ID | --exclude-name GLOB

options:
  --accounts FILE       accounts file (default ./accounts.json, or $MIGRATION_PAUSER_ACCOUNTS)
  --state-dir DIR       where the embedded ledger and failures file live (default .migration-pauser)
  --requested-by WHO    recorded in the ledger (default $USER)
  --source NAME         who holds what this pauses, and whose holds a resume lifts (default manual),
                        e.g. INC-1234: the 18:00 window resume then leaves those tasks paused
  --until TIME          pause: the hold stops counting at this ISO time (e.g. 2026-11-28T15:00:00+09:00)
  --force               resume even tasks that other sources still hold (recorded in the audit)
  --command-id UUID     make a retry of the same command idempotent
  --pause-mode MODE     DRS: target (default) or all
  --migrate-failed-objects   OMS resume: only the objects that failed
  --json                print the run summary as JSON

example:
  migration-pauser pause --provider huawei-drs --reason "INC-123 source DB overloaded"

exit codes: 0 all good, 1 some targets failed, 2 bad input, 3 configuration or credentials problem (an
  invalid accounts file, or an account whose secret is missing or refused)`;

const OPTIONS = {
  all: { type: 'boolean' },
  provider: { type: 'string', multiple: true },
  account: { type: 'string', multiple: true },
  task: { type: 'string', multiple: true },
  name: { type: 'string' },
  'exclude-provider': { type: 'string', multiple: true },
  'exclude-account': { type: 'string', multiple: true },
  'exclude-task': { type: 'string', multiple: true },
  'exclude-name': { type: 'string' },
  reason: { type: 'string' },
  'requested-by': { type: 'string' },
  source: { type: 'string' },
  until: { type: 'string' },
  force: { type: 'boolean' },

  'command-id': { type: 'string' },
  'pause-mode': { type: 'string' },
  'migrate-failed-objects': { type: 'boolean' },
  accounts: { type: 'string' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  command: { type: 'string' },
  since: { type: 'string' },
  scenario: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.badInput;
  }
  const [verb, ...rest] = positionals;
  if (values.help || !verb) {
    io.out(USAGE);
    return verb || values.help ? EXIT.ok : EXIT.badInput;
  }
  try {
    switch (verb) {
      case 'pause':
      case 'resume':
        return await runVerb(verb, false, values, io);
      case 'plan': {
        const action = rest[0];
        if (action !== 'pause' && action !== 'resume') {
          io.err('plan needs an action: migration-pauser plan pause|resume [scope] --reason TEXT');
          return EXIT.badInput;
        }
        return await runVerb(action, true, values, io);
      }
      case 'status':
        return await showStatus(values, io);
      case 'history':
        return await showHistory(values, io);
      case 'simulator': {
        const { runSimulatorForeground } = await import('../sim');
        await runSimulatorForeground({ port: values.port ? Number(values.port) : 0, scenarioPath: values.scenario });
        return EXIT.ok;
      }
      case 'demo': {
        const { runDemo } = await import('./demo');
        return await runDemo(io);
      }
      default:
        io.err(`unknown command "${verb}"\n\n${USAGE}`);
        return EXIT.badInput;
    }
  } catch (error) {
    return reportError(error, io);
  }
}

async function runVerb(action: 'pause' | 'resume', dryRun: boolean, values: Values, io: CliIo): Promise<number> {
  const command = parseCommand(commandFromFlags(action, dryRun, values, io.env));
  const accounts = await loadAccountsFile(values.accounts ?? io.env.MIGRATION_PAUSER_ACCOUNTS ?? 'accounts.json');
  const runtime = await createLocalRuntime({
    accounts,
    adapters,
    secrets: createLocalSecretSource({ env: io.env }),
    stateDir: values['state-dir'],
  });
  const result = await runCommand(command, runtime);
  if (values.json) {
    io.out(JSON.stringify(dryRun ? { ...result.summary, plan: planView(result) } : result.summary, null, 2));
  } else {
    io.out(formatSummary(result.summary));
    if (dryRun) io.out(`what each provider gets:\n${formatPauseKinds(result, runtime.sessions)}`);
    const failures = formatFailures(result);
    if (failures) io.out(`${failures}\nfailures file: ${runtime.stateDir}/failures.jsonl`);
  }
  return exitCodeOf(result.summary);
}

/** 3 when an account's credentials were refused or missing (fix the secret first), 1 for other failures. */
export function exitCodeOf(summary: Summary): number {
  if (summary.accountFailures.some((f) => f.errorClass === 'auth')) return EXIT.config;
  return hasFailures(summary) ? EXIT.someFailed : EXIT.ok;
}

export function commandFromFlags(
  action: 'pause' | 'resume',
  dryRun: boolean,
  v: Values,
  env: Record<string, string | undefined>,
): CommandInput {
  const exclude = {
    providers: v['exclude-provider'],
    accounts: v['exclude-account'],
    taskIds: v['exclude-task'],
    namePattern: v['exclude-name'],
  };
  const hasExclude = Object.values(exclude).some((x) => x !== undefined);
  return {
    action,
    dryRun,
    reason: v.reason ?? '',
    requestedBy: v['requested-by'] ?? env.USER ?? 'cli',
    ...(v.source ? { source: v.source } : {}),
    ...(v.until ? { until: v.until } : {}),
    ...(v['command-id'] ? { commandId: v['command-id'] } : {}),
    scope: {
      ...(v.all ? { all: true } : {}),
      providers: v.provider,
      accounts: v.account,
      taskIds: v.task,
      namePattern: v.name,
      ...(hasExclude ? { exclude } : {}),
    } as CommandInput['scope'],
    options: {
      pauseMode: (v['pause-mode'] ?? 'target') as 'target',
      migrateFailedObject: v['migrate-failed-objects'] ?? false,
      force: v.force ?? false,
    },
  };
}

async function openLocalLedger(values: Values) {
  const { FileLedger } = await import('../lib/local/ledger-file');
  return FileLedger.open(`${values['state-dir'] ?? '.migration-pauser'}/ledger.json`);
}

async function showStatus(values: Values, io: CliIo): Promise<number> {
  const holds = await (await openLocalLedger(values)).pausedByUs();
  if (values.json) {
    io.out(JSON.stringify(holds, null, 2));
    return EXIT.ok;
  }
  if (holds.length === 0) {
    io.out('nothing is held paused by migration-pauser');
    return EXIT.ok;
  }
  io.out(formatHolds(holds, new Date()));
  return EXIT.ok;
}

async function showHistory(values: Values, io: CliIo): Promise<number> {
  const [targetKey] = values.task ?? [];
  if (!targetKey && !values.command) {
    io.err('history needs --task provider/account/taskId or --command ID (and optionally --since TIME)');
    return EXIT.badInput;
  }
  if (values.since && Number.isNaN(Date.parse(values.since))) {
    io.err(`--since ${values.since} is not a time (use ISO 8601, e.g. 2026-11-28T09:00:00+09:00)`);
    return EXIT.badInput;
  }
  const entries = await (await openLocalLedger(values)).history({
    ...(values.command ? { commandId: values.command } : {}),
    ...(targetKey ? { targetKey } : {}),
    ...(values.since ? { since: values.since } : {}),
  });
  if (values.json) io.out(JSON.stringify(entries, null, 2));
  else io.out(entries.length ? formatHistory(entries) : 'no recorded outcomes match');
  return EXIT.ok;
}

function planView(result: Awaited<ReturnType<typeof runCommand>>) {
  return result.plan.targets.map(({ target, decision }) => ({
    ...target,
    decision: decision.kind === 'act' ? `will ${result.summary.action}` : decision.outcome,
    reason: decision.kind === 'settled' ? decision.reason : undefined,
  }));
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommandValidationError) {
    io.err(
      `bad command:\n${error.issues.map((i) => `  ${i.path.replace(/^scope\./, '--') || 'scope'}: ${i.message}`).join('\n')}`,
    );
    return EXIT.badInput;
  }
  if (error instanceof ConfigError || error instanceof SecretError) {
    io.err(error.message);
    return EXIT.config;
  }
  io.err(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.someFailed;
}
