import { parseArgs } from 'node:util';
import { loadAccountsFile } from '../lib/config';
import { type Command, type CommandInput, parseCommand } from '../lib/core/command';
import { CommandValidationError, ConfigError, SecretError } from '../lib/core/errors';
import { hasFailures } from '../lib/core/outcome';
import { runCommand } from '../lib/core/run';
import type { Summary } from '../lib/core/types';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import { formatFailures, formatHistory, formatHolds, formatPauseKinds, formatSummary } from './format';
import { askOnTerminal, isYes } from './prompt';

export const EXIT = { ok: 0, someFailed: 1, badInput: 2, config: 3 } as const;

const EXIT_CODES = `exit codes: 0 all good, 1 some targets failed, 2 bad input (or a pause --all not confirmed),
  3 configuration or credentials problem (an invalid accounts file, or an account whose secret is missing or refused)`;

const SCOPE_HELP = `scope (combine freely; repeat a flag for several values; every given selector must match):
  --all | --provider KEY | --account NAME | --task ID | --name GLOB
  --exclude-provider KEY | --exclude-account NAME | --exclude-task ID | --exclude-name GLOB
  providers: ncp-object-migration, huawei-oms, huawei-drs, huawei-dcs`;

const COMMON_HELP = `  --accounts FILE       accounts file (default ./accounts.json, or $MIGRATION_PAUSER_ACCOUNTS)
  --state-dir DIR       where the embedded ledger and failures file live (default .migration-pauser)
  --json                print JSON instead of a table`;

/** `migration-pauser <command> --help`: each command's own usage, options and an example. */
export const COMMAND_HELP: Record<string, string> = {
  pause: `usage: migration-pauser pause [scope] --reason TEXT [options]

Pauses every running task in scope and places a hold of --source on it, so that a resume of the same source
(and only that) resumes it. With --all on a terminal it asks "Pause every migration task in N accounts? [y/N]"
unless --yes; off a terminal (scripts, CI) it does not ask.

${SCOPE_HELP}

options:
  --reason TEXT         required: why (recorded in the ledger and every failure)
  --source NAME         who holds what this pauses (default manual), e.g. INC-1234
  --until TIME          the hold stops counting at this ISO time (e.g. 2026-11-28T15:00:00+09:00)
  --pause-mode MODE     Huawei DRS: target (default, stops replay) or all (stops log capture too)
  --command-id UUID     run the same command again without a second provider call
  --requested-by WHO    recorded in the ledger (default $USER)
  --yes                 do not ask for confirmation of --all
${COMMON_HELP}

example:
  migration-pauser pause --provider huawei-drs --source INC-123 --reason "INC-123 source DB overloaded"

${EXIT_CODES}`,
  resume: `usage: migration-pauser resume [scope] --reason TEXT [options]

Resumes only tasks that migration-pauser paused, lifting the holds of --source; a task still held by another
source stays paused unless --force.

${SCOPE_HELP}

options:
  --reason TEXT         required: why
  --source NAME         whose holds to lift (default manual), e.g. INC-1234
  --force               resume even tasks that other sources still hold (recorded in the audit)
  --migrate-failed-objects   Huawei OMS: migrate only the objects that failed
  --command-id UUID     run the same command again without a second provider call
  --requested-by WHO    recorded in the ledger (default $USER)
${COMMON_HELP}

example:
  migration-pauser resume --all --source INC-123 --reason "INC-123 over"

${EXIT_CODES}`,
  plan: `usage: migration-pauser plan pause|resume [scope] --reason TEXT [options]

Shows what pause or resume would do to each task in scope, and what kind of pause each provider gets; it calls
only the providers' list and describe APIs and changes nothing. Takes the options of pause and resume.

${SCOPE_HELP}

options:
${COMMON_HELP}

example:
  migration-pauser plan pause --all --reason "check before the window"

${EXIT_CODES}`,
  status: `usage: migration-pauser status [--state-dir DIR] [--json]

What migration-pauser holds paused now, by source and provider, with each hold's expiry.

options:
${COMMON_HELP}

example:
  migration-pauser status --json

exit codes: 0 shown, 2 bad input`,
  history: `usage: migration-pauser history --task PROVIDER/ACCOUNT/TASK_ID | --command ID [--since TIME] [options]

The audit trail: every recorded outcome of one task, or of one command, oldest first.

options:
  --task KEY            provider/account/taskId, e.g. huawei-drs/hw-drs-sg/1a2b3c
  --command ID          the command id (printed by pause, resume and plan)
  --since TIME          only outcomes at or after this ISO time
${COMMON_HELP}

example:
  migration-pauser history --task huawei-drs/hw-drs-sg/1a2b3c --since 2026-11-28T09:00:00+09:00

exit codes: 0 shown, 2 bad input`,
  simulator: `usage: migration-pauser simulator [--port P] [--scenario FILE]

Runs the provider simulator (NCP Object Migration, Huawei OMS, DRS, DCS) in the foreground and prints an accounts
file and the export lines with its fake keys. Stop it with Ctrl-C.

options:
  --port P              listen on this port (default: any free port)
  --scenario FILE       a scenario JSON file instead of the generated fleet

example:
  migration-pauser simulator --port 4599

exit codes: 0 stopped, 2 bad input`,
  demo: `usage: migration-pauser demo

The whole flow against the simulator, with no configuration: starts it with a mixed fleet, pauses everything,
prints the result per provider, resumes what it paused, and exits. Its state lives in a temporary directory
that is removed afterwards. The same as npm start.

example:
  migration-pauser demo

${EXIT_CODES}`,
};

const USAGE = `migration-pauser — pause and resume migration tasks across NAVER Cloud and Huawei Cloud

usage:
  migration-pauser plan pause|resume [scope] --reason TEXT   show what would happen, change nothing
  migration-pauser pause  [scope] --reason TEXT              pause tasks in scope and remember them
  migration-pauser resume [scope] --reason TEXT              resume only what this tool paused
  migration-pauser status                                    what we hold paused now, by source and provider
  migration-pauser history --task P/ACCOUNT/ID | --command ID [--since TIME]   the audit trail
  migration-pauser simulator [--port P] [--scenario FILE]    run the provider simulator in the foreground
  migration-pauser demo                                      the whole flow against the simulator (npm start)
  migration-pauser <command> --help                          usage, options and an example for one command

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
  --yes                 pause --all on a terminal: do not ask for confirmation
  --json                print the run summary as JSON

example:
  migration-pauser pause --provider huawei-drs --reason "INC-123 source DB overloaded"

${EXIT_CODES}

output is plain text without colour codes (NO_COLOR is honoured by having none); --json for machines`;

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
  yes: { type: 'boolean', short: 'y' },
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
  /** Both stdin and stdout are a terminal: a person is there to answer a question. */
  isTerminal?: boolean;
  /** Asks the person at the terminal; only called when isTerminal. */
  ask?: (question: string) => Promise<string>;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  isTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  ask: askOnTerminal,
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
  const commandHelp = verb ? COMMAND_HELP[verb] : undefined;
  if (values.help && commandHelp) {
    io.out(commandHelp);
    return EXIT.ok;
  }
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
  if (needsConfirmation(command, values, io) && !(await confirmed(io, accounts.accounts.length))) {
    io.err('not confirmed: nothing was paused (pass --yes to skip this question)');
    return EXIT.badInput;
  }
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

/**
 * A real pause of everything, with a person at a terminal who did not say --yes. Off a terminal (scripts, CI,
 * the Lambda functions) nobody could answer, so it proceeds: the required --reason is the deliberate act there.
 */
export function needsConfirmation(command: Command, values: Values, io: CliIo): boolean {
  return command.action === 'pause' && !command.dryRun && command.scope.all === true && !values.yes && io.isTerminal === true;
}

export async function confirmed(io: CliIo, accountCount: number): Promise<boolean> {
  if (!io.ask) return false;
  const plural = accountCount === 1 ? 'account' : 'accounts';
  return isYes(await io.ask(`Pause every migration task in ${accountCount} ${plural}? [y/N] `));
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
