import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AccountsFile, loadAccountsFile } from '../lib/config';
import { type Command, type CommandInput, parseCommand } from '../lib/core/command';
import { CommandValidationError, ConfigError, type FieldIssue, SecretError } from '../lib/core/errors';
import { PENDING_GRACE_MS } from '../lib/core/holds';
import { type HistoryFilter, holdStatus, type Ledger, type PauseRecord } from '../lib/core/ledger';
import { hasFailures, settledOutcome } from '../lib/core/outcome';
import { resolvePendingFromProviders } from '../lib/core/pending';
import { redriveRequestSchema } from '../lib/core/redrive';
import { runCommand } from '../lib/core/run';
import { inScope } from '../lib/core/scope';
import { AccountSessions, type AdapterRegistry } from '../lib/core/sessions';
import type { Summary } from '../lib/core/types';
import { LedgerLockedError } from '../lib/local/errors';
import type { FileLedgerOptions } from '../lib/local/ledger-file';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_MANIFESTS } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import { PROVIDER_KEYS, type ProviderKey } from '../lib/providers/types';
import { eventsFileDeps } from './events-file';
import {
  formatFailures,
  formatHistory,
  formatHolds,
  formatIrreversible,
  formatNotResumed,
  formatPauseKinds,
  formatRedrive,
  formatSummary,
  formatTaskHolds,
  nextSteps,
} from './format';
import type { CliIo } from './io';
import { colourWanted, createProgressReporter, type ProgressReporter } from './progress';
import { askOnTerminal, isYes } from './prompt';
import { redriveLocal } from './redrive-local';
import {
  createRemoteClients,
  invokeIncident,
  RemoteAccessError,
  type RemoteClients,
  RemoteFunctionError,
  RemoteInvalidCommandError,
  type RemoteTarget,
  redriveRemote,
  remoteLedger,
  remoteNames,
  withAccessHints,
} from './remote';
import { WINDOWS_HELP } from './windows-help';

export const EXIT = { ok: 0, someFailed: 1, badInput: 2, config: 3 } as const;

const EXIT_CODES = `exit codes: 0 all good, 1 some targets failed (or a resume left some paused: named), 2 bad input (or a
  pause --all not confirmed),
  3 configuration or credentials problem (an invalid accounts file, an account whose secret is missing or refused,
  the local ledger still held by another run after --wait, or in remote mode: no AWS credentials, access denied,
  or the stage not deployed)`;

const SCOPE_HELP = `scope (combine freely; repeat a flag for several values; every given selector must match):
  --all | --provider KEY | --account NAME | --task ID | --name GLOB
  --exclude-provider KEY | --exclude-account NAME | --exclude-task ID | --exclude-name GLOB
  providers: ${PROVIDER_KEYS.join(', ')}`;

const LOCAL_HELP = `  --accounts FILE       local mode: accounts file (default ./accounts.json, or $MIGRATION_PAUSER_ACCOUNTS)
  --state-dir DIR       local mode: where the embedded ledger and failures file live (default .migration-pauser)
  --wait SECONDS        local mode: how long to wait while another run holds the state dir's ledger (default 60,
                        0: do not wait); then exit 3
  --events-file FILE    local mode: append the run's events (Command Completed, Target Failed) as JSON lines`;

const REMOTE_HELP = `  --stage S             remote mode: act through the deployed stage S instead of in this process
  --region R            remote mode: its AWS region (default $AWS_REGION, else ap-northeast-2)
  --profile P           remote mode: the AWS profile (default $AWS_PROFILE, else the default credentials)`;

const COMMON_HELP = `${LOCAL_HELP}
${REMOTE_HELP}
  --json                print JSON instead of a table`;

/** `migration-pauser <command> --help`: each command's own usage, options and an example. */
export const COMMAND_HELP: Record<string, string> = {
  pause: `usage: migration-pauser pause [scope] --reason TEXT [options]

Pauses every running task in scope and places a hold of --source on it, so that a resume of the same source
(and only that) resumes it. With --all on a terminal it asks "Pause every migration task in N accounts? [y/N]"
unless --yes; off a terminal (scripts, CI) it does not ask. With --stage it invokes the stage's incident function
(migration-pauser-<stage>-incident), which runs it against the stage's accounts and ledger.

${SCOPE_HELP}

options:
  --reason TEXT         required: why (recorded in the ledger and every failure)
  --source NAME         who holds what this pauses (default manual), e.g. INC-1234
  --until TIME          the hold stops counting at this ISO time (e.g. 2026-11-28T15:00:00+09:00)
  --pause-mode MODE     Huawei DRS: target (default, stops replay) or all (stops log capture too)
  --allow-irreversible  also stop tasks the provider can never restart (DCS backup-file imports); without it they
                        are reported unsupported and left running
  --command-id UUID     run the same command again without a second provider call
  --requested-by WHO    recorded in the ledger (default $USER)
  --yes                 do not ask for confirmation of --all
${COMMON_HELP}

example:
  migration-pauser pause --provider huawei-drs --source INC-123 --reason "INC-123 source DB overloaded"
  migration-pauser pause --all --source INC-123 --reason "INC-123" --stage prod --yes

${EXIT_CODES}`,
  resume: `usage: migration-pauser resume [scope] --reason TEXT [options]

Resumes only tasks that migration-pauser paused, lifting the holds of --source; a task still held by another
source stays paused unless --force. With --stage it invokes the stage's incident function.

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
  migration-pauser resume --all --source window:weekday-business-hours --reason "18:00 resume missed" --stage prod

${EXIT_CODES}`,
  plan: `usage: migration-pauser plan pause|resume [scope] --reason TEXT [options]

Shows what pause or resume would do to each task in scope, and what kind of pause each provider gets; it calls
only the providers' list and describe APIs and changes nothing. Takes the options of pause and resume. With
--stage the stage's incident function plans it (a dry run) and only the counts come back.

${SCOPE_HELP}

options:
${COMMON_HELP}

example:
  migration-pauser plan pause --all --reason "check before the window"
  migration-pauser plan resume --all --source INC-123 --reason "INC-123 over?" --stage prod

${EXIT_CODES}`,
  status: `usage: migration-pauser status [--state-dir DIR | --stage S] [--json]

What migration-pauser holds paused now, by source and provider, with each hold's expiry. With --stage it reads
the stage's ledger table (migration-pauser-<stage>-ledger).

options:
${COMMON_HELP}

example:
  migration-pauser status --json
  migration-pauser status --stage prod

exit codes: 0 shown, 2 bad input, 3 remote: no credentials, access denied or no such stage`,
  release: `usage: migration-pauser release --task PROVIDER/ACCOUNT/TASK_ID --source NAME --reason TEXT [options]

Ends one source's hold on one task without calling the provider: for a task that can never be resumed (a DCS
backup-file import stopped with --allow-irreversible) once someone has dealt with it by hand, or a hold on a task
that no longer exists. Recorded in the audit (history --task) under a command id of its own, with who and why.
With --stage it changes the stage's ledger table.

options:
  --task KEY            provider/account/taskId, e.g. huawei-dcs/dcs-sg/dcs-7
  --source NAME         whose hold ends (status and history --task show them)
  --reason TEXT         required: why
  --requested-by WHO    recorded in the audit (default $USER)
${COMMON_HELP}

example:
  migration-pauser release --task huawei-dcs/dcs-sg/dcs-7 --source INC-123 --reason "import restarted by hand"

exit codes: 0 released, 1 no such hold, 2 bad input, 3 ledger busy or remote: no credentials, access denied`,
  history: `usage: migration-pauser history --task PROVIDER/ACCOUNT/TASK_ID | --command ID [--since TIME] [options]

The audit trail: every recorded outcome of one task, or of one command, oldest first. With --stage it reads the
stage's ledger table.

options:
  --task KEY            provider/account/taskId, e.g. huawei-drs/hw-drs-sg/1a2b3c
  --command ID          the command id (printed by pause, resume and plan)
  --since TIME          only outcomes at or after this ISO time
${COMMON_HELP}

example:
  migration-pauser history --task huawei-drs/hw-drs-sg/1a2b3c --since 2026-11-28T09:00:00+09:00
  migration-pauser history --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --stage prod

exit codes: 0 shown, 2 bad input, 3 remote: no credentials, access denied or no such stage`,
  redrive: `usage: migration-pauser redrive [--command ID] [--provider KEY] [--dry-run] [options]

Turns failed targets back into commands: one per failed command and account, the same action, options, source
and until, scoped to exactly the failed task ids. Locally it reads the failures file under --state-dir, runs the commands
here and removes the failures they replace; with --stage it reads the stage's failures queue
(migration-pauser-<stage>-failures), publishes the commands to its commands queue and deletes what they replace.
Other messages (account failures, rejected commands) stay where they are. Run with --dry-run first.

options:
  --command ID          only the failures of this command
  --provider KEY        only the failures of this provider
  --dry-run             show the commands it would send, change nothing
  --max N               most failures to look at (default 1000)
  --requested-by WHO    recorded as who redrove (default $USER); each command keeps its original requester
${COMMON_HELP}

example:
  migration-pauser redrive --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --dry-run
  migration-pauser redrive --provider huawei-drs --stage prod

${EXIT_CODES}`,
  windows: WINDOWS_HELP,
  simulator: `usage: migration-pauser simulator [--port P] [--scenario FILE] [--json]

Runs the provider simulator in the foreground and prints an accounts file and the export lines with its fake
keys. Stop it with Ctrl-C. It serves ${PROVIDER_MANIFESTS.map((m) => m.displayName).join(', ')}.

options:
  --port P              listen on this port (default: any free port)
  --scenario FILE       a scenario JSON file instead of the generated fleet
  --json                print one JSON line {url, tasks, accounts, env} instead

example:
  migration-pauser simulator --port 4599

exit codes: 0 stopped, 2 bad input`,
  demo: `usage: migration-pauser demo [--json]

The whole flow against the simulator, with no configuration: starts it with a mixed fleet, pauses everything,
prints the result per provider, resumes what it paused, and exits. Its state lives in a temporary directory
that is removed afterwards. The same as npm start.

example:
  migration-pauser demo

${EXIT_CODES}`,
};

const USAGE = `migration-pauser — pause and resume migration tasks across NAVER Cloud, Huawei Cloud and AWS DMS

usage:
  migration-pauser plan pause|resume [scope] --reason TEXT   show what would happen, change nothing
  migration-pauser pause  [scope] --reason TEXT              pause tasks in scope and remember them
  migration-pauser resume [scope] --reason TEXT              resume only what this tool paused
  migration-pauser status                                    what we hold paused now, by source and provider
  migration-pauser history --task P/ACCOUNT/ID | --command ID [--since TIME]   the audit trail
  migration-pauser release --task P/ACCOUNT/ID --source S --reason TEXT   end one hold, provider untouched
  migration-pauser redrive [--command ID] [--provider KEY] [--dry-run]   run failed targets again
  migration-pauser windows [--stage S] [--count N]           the next fires of the stage's windows
  migration-pauser simulator [--port P] [--scenario FILE]    run the provider simulator in the foreground
  migration-pauser demo                                      the whole flow against the simulator (npm start)
  migration-pauser <command> --help                          usage, options and an example for one command

two modes:
  local (default)       in this process, with --accounts FILE, local secrets (env:/file:) and --state-dir
  remote (--stage S)    through the deployed stage: pause/resume/plan invoke its incident function, redrive works
                        on its failures queue, status/history read its ledger table (--region R, --profile P)

scope (combine freely; repeat a flag for several values):
  --all | --provider KEY | --account NAME | --task ID | --name GLOB
  --exclude-provider KEY | --exclude-account NAME | --exclude-task ID | --exclude-name GLOB

options:
  --accounts FILE       accounts file (default ./accounts.json, or $MIGRATION_PAUSER_ACCOUNTS)
  --state-dir DIR       where the embedded ledger and failures file live (default .migration-pauser); one run
                        at a time holds it, the others wait
  --wait SECONDS        how long to wait for another run holding --state-dir (default 60, 0: not at all): exit 3
  --stage S, --region R, --profile P    remote mode (see above)
  --requested-by WHO    recorded in the ledger (default $USER)
  --source NAME         who holds what this pauses, and whose holds a resume lifts (default manual),
                        e.g. INC-1234: the 18:00 window resume then leaves those tasks paused
  --until TIME          pause: the hold stops counting at this ISO time (e.g. 2026-11-28T15:00:00+09:00)
  --force               resume even tasks that other sources still hold (recorded in the audit)
  --command-id UUID     make a retry of the same command idempotent
  --pause-mode MODE     DRS: target (default) or all
  --migrate-failed-objects   OMS resume: only the objects that failed
  --yes                 pause --all on a terminal: do not ask for confirmation
  --json                print JSON (every command)

example:
  migration-pauser pause --provider huawei-drs --reason "INC-123 source DB overloaded"

${EXIT_CODES}

progress: runs longer than a second show a progress line on stderr (redrawn in place on a terminal, a plain
line every few seconds otherwise). Colour is used only on a terminal, and never when NO_COLOR is set.`;

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
  'allow-irreversible': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'command-id': { type: 'string' },
  'pause-mode': { type: 'string' },
  'migrate-failed-objects': { type: 'boolean' },
  accounts: { type: 'string' },
  'state-dir': { type: 'string' },
  wait: { type: 'string' },
  json: { type: 'boolean' },
  port: { type: 'string' },
  command: { type: 'string' },
  since: { type: 'string' },
  scenario: { type: 'string' },
  stage: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'dry-run': { type: 'boolean' },
  max: { type: 'string' },
  count: { type: 'string' },
  tz: { type: 'string' },
  now: { type: 'string' },
  config: { type: 'string' },
  'events-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

export type { CliIo } from './io';

const processIo: CliIo = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  isTerminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  ask: askOnTerminal,
  progress: process.stderr,
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
      case 'release':
        return await releaseHold(values, io);
      case 'redrive':
        return await redrive(values, io);
      case 'windows':
        return await showWindows(values, io);
      case 'simulator':
        return await runSimulator(values, io);
      case 'demo': {
        const { runDemo } = await import('./demo');
        return await runDemo(io, { json: values.json === true });
      }
      default:
        io.err(`unknown command "${verb}"\n\n${USAGE}`);
        return EXIT.badInput;
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function remoteTargetOf(values: Values): RemoteTarget | undefined {
  if (values.stage === undefined) return undefined;
  return {
    stage: values.stage,
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  };
}

function clientsFor(target: RemoteTarget, io: CliIo): RemoteClients {
  return io.remote ? io.remote(target) : createRemoteClients(target, io.env);
}

async function runVerb(action: 'pause' | 'resume', dryRun: boolean, values: Values, io: CliIo): Promise<number> {
  const command = parseCommand(commandFromFlags(action, dryRun, values, io.env));
  // A hold that has already stopped counting would be resumed by the next sweep, minutes after this pause.
  if (command.until !== undefined && Date.parse(command.until) <= Date.now()) {
    throw new CommandValidationError([
      { path: '--until', message: `${values.until} is in the past: the hold would end before it began (give a later time)` },
    ]);
  }
  const remote = remoteTargetOf(values);
  if (remote && values['events-file'] !== undefined) {
    throw new CommandValidationError([
      { path: '--events-file', message: 'local runs only: a stage publishes to its eventBusName' },
    ]);
  }
  if (remote) return runRemoteVerb(command, remote, values, io);
  const accounts = await loadAccountsFile(values.accounts ?? io.env.MIGRATION_PAUSER_ACCOUNTS ?? 'accounts.json');
  if (needsConfirmation(command, values, io) && !(await confirmed(io, accounts.accounts.length))) {
    io.err('not confirmed: nothing was paused (pass --yes to skip this question)');
    return EXIT.badInput;
  }
  const progress = dryRun ? undefined : progressFor(command, io);
  const runtime = await createLocalRuntime({
    accounts,
    adapters: progress && action === 'pause' ? countingAdapters(adapters, command, progress) : adapters,
    secrets: createLocalSecretSource({ env: io.env }),
    stateDir: values['state-dir'],
    ledgerOptions: ledgerOptions(values, io),
  });
  let result: Awaited<ReturnType<typeof runCommand>>;
  try {
    if (progress && action === 'resume') await expectHeld(command, runtime.ledger, progress);
    result = await runCommand(command, {
      ...runtime,
      ...(progress ? { onOutcome: progress.onOutcome } : {}),
      ...eventsFileDeps(values['events-file'], io),
    });
  } finally {
    progress?.finish();
    await runtime.close();
  }
  if (values.json) {
    io.out(JSON.stringify(dryRun ? { ...result.summary, plan: planView(result) } : result.summary, null, 2));
  } else {
    io.out(formatSummary(result.summary));
    if (dryRun) io.out(`what each provider gets:\n${formatPauseKinds(result, runtime.sessions)}`);
    const irreversible = formatIrreversible(result);
    if (irreversible) io.out(irreversible);
    const notResumed = formatNotResumed(result);
    if (notResumed) io.out(notResumed);
    const failures = formatFailures(result);
    if (failures) io.out(`${failures}\nfailures file: ${join(runtime.stateDir, 'failures.jsonl')}`);
  }
  // On stderr, so --json output stays one JSON document.
  const steps = nextSteps(result.summary, { accounts: accounts.accounts, local: stateArgs(values) });
  if (steps) io.err(steps);
  return exitCodeOf(result.summary);
}

async function runRemoteVerb(command: Command, target: RemoteTarget, values: Values, io: CliIo): Promise<number> {
  if (needsConfirmation(command, values, io)) {
    const answer = io.ask ? await io.ask(`Pause every migration task of stage ${target.stage}? [y/N] `) : '';
    if (!isYes(answer)) {
      io.err('not confirmed: nothing was paused (pass --yes to skip this question)');
      return EXIT.badInput;
    }
  }
  const reply = await invokeIncident(clientsFor(target, io), target, command, io.env);
  if (values.json) io.out(JSON.stringify({ ...reply.summary, mode: reply.mode }, null, 2));
  else {
    io.out(formatSummary(reply.summary));
    if (reply.mode === 'dispatched') {
      io.out(
        `${reply.summary.totals.dispatched ?? 0} targets went to the stage's workers; their outcomes arrive in the ledger:\n  migration-pauser history --command ${reply.summary.commandId}${remoteArgs(target)}`,
      );
    }
  }
  const steps = nextSteps(reply.summary, { remote: remoteArgs(target) });
  if (steps) io.err(steps);
  return exitCodeOf(reply.summary);
}

function stateArgs(values: Values): string {
  return values['state-dir'] ? ` --state-dir ${values['state-dir']}` : '';
}

function remoteArgs(target: RemoteTarget): string {
  return [
    ` --stage ${target.stage}`,
    target.region ? ` --region ${target.region}` : '',
    target.profile ? ` --profile ${target.profile}` : '',
  ].join('');
}

/** A progress reporter on the progress stream (stderr), or none in-process (tests) and for --json off a terminal. */
function progressFor(command: Command, io: CliIo): ProgressReporter | undefined {
  if (!io.progress) return undefined;
  return createProgressReporter({
    stream: io.progress,
    label: command.action === 'pause' ? 'pausing' : 'resuming',
    colour: colourWanted(io.env, io.progress.isTTY),
  });
}

/** The adapters, with each account's listing counted as it arrives: the progress bar's total for a pause. */
function countingAdapters(registry: AdapterRegistry, command: Command, progress: ProgressReporter): AdapterRegistry {
  const wrapped = { ...registry };
  for (const key of PROVIDER_KEYS) {
    const adapter = registry[key];
    wrapped[key] = {
      key: adapter.key,
      capabilities: adapter.capabilities,
      open(context) {
        const session = adapter.open(context);
        return {
          get: (ids) => session.get(ids),
          pause: (tasks, options) => session.pause(tasks, options),
          resume: (tasks, options) => session.resume(tasks, options),
          list: async () => {
            const tasks = await session.list();
            progress.expect(key, tasks.filter((t) => inScope(t, command.scope)).length);
            return tasks;
          },
        };
      },
    };
  }
  return wrapped;
}

/** A resume's total: the holds it may lift (the resume itself decides each one). */
async function expectHeld(command: Command, ledger: Ledger, progress: ProgressReporter): Promise<void> {
  const keys = new Map<string, ProviderKey>();
  for await (const page of command.options.force ? ledger.allHolds() : ledger.holdsOfSource(command.source)) {
    for (const hold of page) if (inScope(hold.target, command.scope)) keys.set(hold.key, hold.target.provider);
  }
  for (const provider of keys.values()) progress.expect(provider, 1);
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
  if (hasFailures(summary)) return EXIT.someFailed;
  // A resume that leaves tasks paused (unsupported, or skipped) has not done what was asked of it.
  const { unsupported = 0, skipped = 0 } = summary.totals;
  return summary.action === 'resume' && !summary.dryRun && unsupported + skipped > 0 ? EXIT.someFailed : EXIT.ok;
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
      ...(v['pause-mode'] ? { 'huawei-drs': { pauseMode: v['pause-mode'] as 'target' } } : {}),
      ...(v['migrate-failed-objects'] ? { 'huawei-oms': { migrateFailedObject: true } } : {}),
      force: v.force ?? false,
      ...(v['allow-irreversible'] ? { allowIrreversible: true } : {}),
    },
  };
}

/**
 * The ledger status and history read: the local file, or the stage's table; `read` adds remote-mode hints and
 * gives the local ledger (and its lock) back once read.
 */
async function openLedger(
  values: Values,
  io: CliIo,
): Promise<{ ledger: Ledger; read: <T>(call: () => Promise<T>) => Promise<T> }> {
  const remote = remoteTargetOf(values);
  if (remote) {
    const { ledger, tableName } = await remoteLedger(clientsFor(remote, io), remote);
    return { ledger, read: (call) => withAccessHints(remote, io.env, `read ledger table ${tableName}`, call) };
  }
  const { FileLedger } = await import('../lib/local/ledger-file');
  const ledger = await FileLedger.open(
    join(values['state-dir'] ?? '.migration-pauser', 'ledger.json'),
    ledgerOptions(values, io),
  );
  return {
    ledger,
    read: async (call) => {
      try {
        return await call();
      } finally {
        await ledger.close();
      }
    },
  };
}

/** How the CLI opens the embedded ledger: waits --wait seconds (default 60) for another run, saying so once. */
function ledgerOptions(values: Values, io: CliIo): FileLedgerOptions {
  const seconds = values.wait === undefined ? 60 : Number(values.wait);
  if (values.wait?.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new CommandValidationError([{ path: '--wait', message: `${values.wait} is not a number of seconds (e.g. 60, or 0)` }]);
  }
  const directory = values['state-dir'] ?? '.migration-pauser';
  return {
    waitMs: seconds * 1000,
    onWait: (holder) => io.err(`waiting for the ledger in ${directory}: held by pid ${holder.pid} since ${holder.since}`),
  };
}

async function showStatus(values: Values, io: CliIo): Promise<number> {
  const { ledger, read } = await openLedger(values, io);
  // One read: the embedded ledger is closed (its lock released) when it ends.
  const holds = await read(async () => {
    const all = await ledger.pausedByUs();
    return remoteTargetOf(values) ? all : settleUnconfirmed(all, ledger, values, io);
  });
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

/**
 * `release`: one source's hold on one task ends, under the task's lease, without a provider call; the audit gets
 * an outcome of its own command id naming who and why.
 */
async function releaseHold(values: Values, io: CliIo): Promise<number> {
  const [key] = values.task ?? [];
  const issues: FieldIssue[] = [];
  const parts = key?.split('/') ?? [];
  if (parts.length !== 3 || parts.some((part) => part === '')) {
    issues.push({ path: '--task', message: 'name one task as provider/account/taskId' });
  }
  if (!values.source) issues.push({ path: '--source', message: 'name the source whose hold ends' });
  if (!values.reason?.trim()) issues.push({ path: '--reason', message: 'a reason is required' });
  if (issues.length || !key || !values.source || !values.reason) throw new CommandValidationError(issues);
  const source = values.source;
  const requestedBy = values['requested-by'] ?? io.env.USER ?? 'cli';
  const reason = `hold of ${source} released by ${requestedBy} without a provider call: ${values.reason.trim()}`;
  const { ledger, read } = await openLedger(values, io);
  const done = await read(async () => {
    const commandId = randomUUID();
    const lease = { holder: `release:${commandId}`, expiresAt: Date.now() + 60_000 };
    const leased = await ledger.acquireLeases([key], lease);
    const hold = leased.get(key)?.find((h) => h.source === source);
    if (!leased.has(key)) return { kind: 'busy' as const };
    if (!hold) {
      await ledger.releaseLeases([key], lease.holder);
      return { kind: 'not-held' as const, held: (leased.get(key) ?? []).map((h) => h.source) };
    }
    await ledger.changeHolds(lease.holder, [{ key, remove: [source] }], { releaseLease: true });
    const at = new Date().toISOString();
    await ledger.recordOutcomes(commandId, [settledOutcome(hold.target, { outcome: 'skipped', reason }, at)]);
    await ledger.flush();
    return { kind: 'released' as const, commandId };
  });
  if (done.kind === 'busy') {
    io.err(`${key} is being changed by another command right now; try again in a minute`);
    return EXIT.config;
  }
  if (done.kind === 'not-held') {
    io.err(`${key} has no hold of ${source}${done.held.length ? ` (held by ${done.held.join(', ')})` : ' (no hold at all)'}`);
    return EXIT.someFailed;
  }
  io.out(`released: ${key} is no longer held by ${source} (command ${done.commandId}; history --task ${key})`);
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
  const filter: HistoryFilter = {
    ...(values.command ? { commandId: values.command } : {}),
    ...(targetKey ? { targetKey } : {}),
    ...(values.since ? { since: values.since } : {}),
  };
  const { ledger, read } = await openLedger(values, io);
  const { entries, holds } = await read(async () => ({
    entries: await ledger.history(filter),
    holds: targetKey ? await ledger.holdsOf([targetKey]) : [],
  }));
  if (values.json) io.out(JSON.stringify(targetKey ? { entries, holds } : entries, null, 2));
  else {
    io.out(entries.length ? formatHistory(entries) : 'no recorded outcomes match');
    if (targetKey) io.out(formatTaskHolds(holds));
  }
  return EXIT.ok;
}

/**
 * `status` in local mode settles unconfirmed holds it can: it asks each account's provider about them (when the
 * accounts file is there). A provider it cannot reach leaves them unconfirmed; status still shows everything.
 */
async function settleUnconfirmed(holds: PauseRecord[], ledger: Ledger, values: Values, io: CliIo): Promise<PauseRecord[]> {
  if (!holds.some((h) => holdStatus(h) === 'pending')) return holds;
  const path = values.accounts ?? io.env.MIGRATION_PAUSER_ACCOUNTS ?? 'accounts.json';
  const accounts = await loadAccountsFile(path).catch(() => undefined);
  if (!accounts) {
    io.err(`unconfirmed holds are shown as they are: the accounts file ${path} could not be read to ask the providers`);
    return holds;
  }
  const now = () => new Date();
  return resolvePendingFromProviders(holds, {
    sessions: new AccountSessions(accounts.accounts, adapters, createLocalSecretSource({ env: io.env })),
    ledger,
    now,
    lease: { holder: `status@${process.pid}`, expiresAt: now().getTime() + 60_000 },
    graceMs: PENDING_GRACE_MS,
  });
}

async function redrive(values: Values, io: CliIo): Promise<number> {
  if ((values.provider?.length ?? 0) > 1) {
    io.err('redrive takes at most one --provider (run it once per provider)');
    return EXIT.badInput;
  }
  const parsed = redriveRequestSchema.safeParse({
    ...(values.command ? { commandId: values.command } : {}),
    ...(values.provider?.[0] ? { provider: values.provider[0] } : {}),
    dryRun: values['dry-run'] === true,
    ...(values.max !== undefined ? { max: Number(values.max) } : {}),
    // Named in each redriven command's `redrive.by`; the command keeps its original requestedBy.
    requestedBy: values['requested-by'] ?? io.env.USER ?? 'cli',
  });
  if (!parsed.success) {
    const flag: Record<string, string> = {
      commandId: '--command',
      provider: '--provider',
      max: '--max',
      requestedBy: '--requested-by',
    };
    io.err(
      `bad redrive:\n${parsed.error.issues.map((i) => `  ${flag[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('\n')}`,
    );
    return EXIT.badInput;
  }
  const request = parsed.data;
  const remote = remoteTargetOf(values);
  if (remote) {
    const result = await redriveRemote(clientsFor(remote, io), remote, request, io.env);
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else {
      io.out(formatRedrive(result, `failures queue ${remoteNames(remote.stage).failuresQueue}`));
      if (!result.dryRun && result.commands.length > 0) {
        io.err(
          `the commands are on ${remoteNames(remote.stage).commandsQueue}; follow each with:\n  migration-pauser history --command ID${remoteArgs(remote)}`,
        );
      }
    }
    return EXIT.ok;
  }
  const stateDir = values['state-dir'] ?? '.migration-pauser';
  const failuresPath = join(stateDir, 'failures.jsonl');
  let accounts: AccountsFile | undefined;
  const result = await redriveLocal(failuresPath, request, async (command) => {
    accounts ??= await loadAccountsFile(values.accounts ?? io.env.MIGRATION_PAUSER_ACCOUNTS ?? 'accounts.json');
    const runtime = await createLocalRuntime({
      accounts,
      adapters,
      secrets: createLocalSecretSource({ env: io.env }),
      stateDir,
      ledgerOptions: ledgerOptions(values, io),
    });
    try {
      return (await runCommand(command, runtime)).summary;
    } finally {
      await runtime.close();
    }
  });
  const worst = result.runs.reduce<number>((code, summary) => Math.max(code, exitCodeOf(summary)), EXIT.ok);
  if (values.json) {
    io.out(JSON.stringify(result, null, 2));
    return worst;
  }
  io.out(formatRedrive(result, `failures file ${failuresPath}`));
  for (const summary of result.runs) io.out(formatSummary(summary));
  return worst;
}

async function showWindows(values: Values, io: CliIo): Promise<number> {
  const { windowsCommand } = await import('./windows');
  return windowsCommand(values, io);
}

async function runSimulator(values: Values, io: CliIo): Promise<number> {
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err(`--port ${values.port} is not a port number`);
    return EXIT.badInput;
  }
  const { runSimulatorForeground } = await import('../sim');
  await runSimulatorForeground({ port, scenarioPath: values.scenario, json: values.json });
  return EXIT.ok;
}

function planView(result: Awaited<ReturnType<typeof runCommand>>) {
  return result.plan.targets.map(({ target, decision }) => ({
    ...target,
    decision:
      decision.kind === 'act' ? `will ${result.summary.action}` : decision.kind === 'hold' ? 'already-paused' : decision.outcome,
    reason: decision.kind === 'act' ? undefined : decision.reason,
  }));
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommandValidationError) {
    io.err(
      `bad command:\n${error.issues.map((i) => `  ${i.path.replace(/^scope\./, '--') || 'scope'}: ${i.message}`).join('\n')}`,
    );
    return EXIT.badInput;
  }
  if (error instanceof RemoteInvalidCommandError) {
    io.err(error.message);
    return EXIT.badInput;
  }
  if (error instanceof RemoteAccessError || error instanceof SecretError) {
    io.err(error.message);
    return EXIT.config;
  }
  if (error instanceof LedgerLockedError) {
    io.err(
      `${error.message} — another migration-pauser run is using this state directory; run again later, or wait longer with --wait SECONDS`,
    );
    return EXIT.config;
  }
  if (error instanceof ConfigError) {
    io.err(`${error.message}${configHint(error.message)}`);
    return EXIT.config;
  }
  if (error instanceof RemoteFunctionError) {
    io.err(error.message);
    return EXIT.someFailed;
  }
  io.err(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.someFailed;
}

/** The next step for configuration errors raised where the CLI cannot reword them (lib/config.ts). */
function configHint(message: string): string {
  if (/^cannot read accounts file .*ENOENT/.test(message)) {
    return ' — pass --accounts FILE or set MIGRATION_PAUSER_ACCOUNTS (the README shows the format; migration-pauser simulator prints one for the simulator)';
  }
  if (/^(invalid accounts file|accounts file .* is not valid JSON)/.test(message)) {
    return ' — fix the named fields (the README, Accounts file, shows each provider\u2019s fields)';
  }
  return '';
}
