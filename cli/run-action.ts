import { join } from 'node:path';
import { type Command, type CommandInput, parseCommand } from '../lib/core/command';
import { CommandValidationError } from '../lib/core/errors';
import type { Ledger } from '../lib/core/ledger';
import { runCommand } from '../lib/core/run';
import { inScope } from '../lib/core/scope';
import type { AdapterRegistry } from '../lib/core/sessions';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS, type ProviderKey } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import { loadAccounts } from './accounts';
import type { ACTION_FLAGS } from './action-flags';
import { EXIT, exitCodeOfSummary } from './exit-codes';
import { type FlagValues, remoteArgs, remoteTargetOf, stateArgs, stateDirOf } from './flags';
import { formatFailures, formatIrreversible, formatNotResumed, formatPauseKinds, formatSummary, nextSteps } from './format';
import type { CliIo } from './io';
import { ledgerOptions } from './ledger-access';
import { colourWanted, createProgressReporter, type ProgressReporter } from './progress';
import { isYes } from './prompt';
import { invokeIncident, type RemoteTarget } from './remote';
import { clientsFor } from './remote-clients';

export type ActionValues = FlagValues<typeof ACTION_FLAGS>;

/** pause, resume and plan: the command from the flags, run here or through the stage's incident function. */
export async function runAction(action: 'pause' | 'resume', dryRun: boolean, values: ActionValues, io: CliIo): Promise<number> {
  const command = commandOf(action, dryRun, values, io.env);
  const remote = remoteTargetOf(values);
  if (remote) return runRemote(command, remote, values, io);
  const accounts = await loadAccounts(values, io.env);
  if (needsConfirmation(command, values, io) && !(await confirmed(io, accounts.accounts.length))) {
    io.err('not confirmed: nothing was paused (pass --yes to skip this question)');
    return EXIT.badInput;
  }
  const progress = dryRun ? undefined : progressFor(command, io);
  const runtime = await createLocalRuntime({
    accounts,
    adapters: progress && action === 'pause' ? countingAdapters(adapters, command, progress) : adapters,
    secrets: createLocalSecretSource({ env: io.env }),
    stateDir: stateDirOf(values, io.env),
    ledgerOptions: ledgerOptions(values, io),
  });
  let result: Awaited<ReturnType<typeof runCommand>>;
  try {
    if (progress && action === 'resume') await expectHeld(command, runtime.ledger, progress);
    result = await runCommand(command, { ...runtime, ...(progress ? { onOutcome: progress.onOutcome } : {}) });
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
  return exitCodeOfSummary(result.summary);
}

/** The Command the flags describe, refused (exit 2) with every bad flag named. */
function commandOf(
  action: 'pause' | 'resume',
  dryRun: boolean,
  values: ActionValues,
  env: Record<string, string | undefined>,
): Command {
  let command: Command;
  try {
    command = parseCommand(commandFromFlags(action, dryRun, values, env));
  } catch (error) {
    if (!(error instanceof CommandValidationError)) throw error;
    throw new CommandValidationError(
      error.issues.map((i) => ({ path: i.path.replace(/^scope\./, '--') || 'scope', message: i.message })),
    );
  }
  // A hold that has already stopped counting would be resumed by the next sweep, minutes after this pause.
  if (command.until !== undefined && Date.parse(command.until) <= Date.now()) {
    throw new CommandValidationError([
      { path: '--until', message: `${values.until} is in the past: the hold would end before it began (give a later time)` },
    ]);
  }
  return command;
}

async function runRemote(command: Command, target: RemoteTarget, values: ActionValues, io: CliIo): Promise<number> {
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
  return exitCodeOfSummary(reply.summary);
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
export function needsConfirmation(command: Command, values: { yes?: boolean }, io: CliIo): boolean {
  return command.action === 'pause' && !command.dryRun && command.scope.all === true && !values.yes && io.isTerminal === true;
}

async function confirmed(io: CliIo, accountCount: number): Promise<boolean> {
  if (!io.ask) return false;
  const plural = accountCount === 1 ? 'account' : 'accounts';
  return isYes(await io.ask(`Pause every migration task in ${accountCount} ${plural}? [y/N] `));
}

export function commandFromFlags(
  action: 'pause' | 'resume',
  dryRun: boolean,
  v: ActionValues,
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

function planView(result: Awaited<ReturnType<typeof runCommand>>) {
  return result.plan.targets.map(({ target, decision }) => ({
    ...target,
    decision:
      decision.kind === 'act' ? `will ${result.summary.action}` : decision.kind === 'hold' ? 'already-paused' : decision.outcome,
    reason: decision.kind === 'act' ? undefined : decision.reason,
  }));
}
