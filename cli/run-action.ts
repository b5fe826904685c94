import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AccountsFile } from '../lib/config';
import { type Command, type CommandInput, commandSchema, toFieldIssues } from '../lib/core/command';
import { CommandValidationError, type FieldIssue } from '../lib/core/errors';
import type { Ledger } from '../lib/core/ledger';
import { runCommand } from '../lib/core/run';
import { inScope } from '../lib/core/scope';
import type { AdapterRegistry } from '../lib/core/sessions';
import { type Plan, type Summary, targetKey } from '../lib/core/types';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { PROVIDER_KEYS, type ProviderKey } from '../lib/providers/keys';
import { adapters } from '../lib/providers/registry';
import { loadAccounts } from './accounts';
import type { ACTION_FLAGS } from './action-flags';
import { EXIT, exitCodeOfSummary } from './exit-codes';
import { inFlagWords } from './flag-issues';
import { type FlagValues, remoteArgs, remoteTargetOf, stateArgs, stateDirOf } from './flags';
import { formatFailures, formatIrreversible, formatNotResumed, formatPauseKinds, formatSummary, nextSteps } from './format';
import { heartbeatMs, startHeartbeat } from './heartbeat';
import type { CliIo } from './io';
import { ledgerOptions, warnIfNoStateDir } from './ledger-access';
import { whyNothingToResume } from './nothing-to-resume';
import { colourWanted, createProgressReporter, type ProgressReporter } from './progress';
import { isYes } from './prompt';
import { type IncidentReply, invokeIncident, type RemoteTarget, remoteLedger, remoteNames } from './remote';
import { clientsFor } from './remote-clients';
import { scopeFromFlags } from './scope-flags';

export type ActionValues = FlagValues<typeof ACTION_FLAGS>;

/** pause, resume and plan: the command from the flags, run here or through the stage's incident function. */
export async function runAction(action: 'pause' | 'resume', dryRun: boolean, values: ActionValues, io: CliIo): Promise<number> {
  const command = commandOf(action, dryRun, values, io.env);
  const remote = remoteTargetOf(values);
  if (remote) return runRemote(command, remote, values, io);
  const accounts = await loadAccounts(values, io.env);
  if (action === 'resume') warnIfNoStateDir(values, io);
  if (needsConfirmation(command, values, io) && !(await confirmedLocally(command, accounts, values, io))) {
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
  let nothing: string | undefined;
  try {
    if (progress && action === 'resume') await expectHeld(command, runtime.ledger, progress);
    result = await runCommand(command, { ...runtime, ...(progress ? { onOutcome: progress.onOutcome } : {}) });
    nothing = await whyNothingToResume(command, result.summary, runtime.ledger);
  } finally {
    progress?.finish();
    await runtime.close();
  }
  if (values.json) {
    io.out(
      JSON.stringify(
        dryRun ? { ...result.summary, plan: planView(result) } : { ...result.summary, outcomes: outcomesView(result) },
        null,
        2,
      ),
    );
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
  if (nothing) io.err(nothing);
  const steps = nextSteps(result.summary, { accounts: accounts.accounts, local: stateArgs(values) });
  if (steps) io.err(steps);
  return exitCodeOfSummary(result.summary);
}

/** The Command the flags describe, refused (exit 2) with every bad flag named in flag words. */
function commandOf(
  action: 'pause' | 'resume',
  dryRun: boolean,
  values: ActionValues,
  env: Record<string, string | undefined>,
): Command {
  const flagIssues: FieldIssue[] = [];
  const input = commandFromFlags(action, dryRun, values, env, flagIssues);
  const parsed = commandSchema.safeParse(input);
  // A flag already refused in its own words is not refused again by the schema (an unknown provider leaves an empty list).
  const said = new Set(flagIssues.map((i) => flagOf(i.path)));
  const schemaIssues = parsed.success
    ? []
    : inFlagWords(toFieldIssues(parsed.error), input).filter(
        (i) => !said.has(flagOf(i.path)) && !(said.size && i.path === 'scope'),
      );
  const issues = [...flagIssues, ...schemaIssues];
  if (issues.length > 0 || !parsed.success) throw new CommandValidationError(issues);
  const command = parsed.data;
  // A hold that has already stopped counting would be resumed by the next sweep, minutes after this pause.
  if (command.until !== undefined && Date.parse(command.until) <= Date.now()) {
    throw new CommandValidationError([
      { path: '--until', message: `${values.until} is in the past: the hold would end before it began (give a later time)` },
    ]);
  }
  return command;
}

/** `--task "x"` → `--task`. */
function flagOf(path: string): string {
  return path.split(' ')[0] ?? path;
}

async function runRemote(command: Command, target: RemoteTarget, values: ActionValues, io: CliIo): Promise<number> {
  const clients = clientsFor(target, io);
  const functionName = remoteNames(target.stage).incidentFunction;
  if (needsConfirmation(command, values, io)) {
    // The stage's own plan says how many tasks the question is about.
    const preview = await invokeIncident(clients, target, { ...command, dryRun: true, commandId: randomUUID() }, io.env);
    const tasks = preview.summary.totals.planned ?? 0;
    const providers = Object.keys(preview.summary.byProvider).length;
    const answer = io.ask
      ? await io.ask(
          `Pause every migration task of stage ${target.stage}: ${count(tasks, 'running task')} of ${count(providers, 'provider')}? [y/N] `,
        )
      : '';
    if (!isYes(answer)) {
      io.err('not confirmed: nothing was paused (pass --yes to skip this question)');
      return EXIT.badInput;
    }
  }
  io.err(
    `command ${command.commandId}: invoking ${functionName} (follow it with migration-pauser history --command ${command.commandId}${remoteArgs(target)})`,
  );
  const heartbeat = startHeartbeat(io.err, heartbeatMs(io.env), () => `${functionName}, command ${command.commandId}`);
  let reply: IncidentReply;
  try {
    reply = await invokeIncident(clients, target, command, io.env);
  } finally {
    heartbeat.stop();
  }
  if (values.json) io.out(JSON.stringify({ ...reply.summary, mode: reply.mode }, null, 2));
  else {
    io.out(formatSummary(reply.summary));
    if (reply.mode === 'dispatched') {
      io.out(
        `${reply.summary.totals.dispatched ?? 0} targets went to the stage's workers; their outcomes arrive in the ledger:\n  migration-pauser history --command ${reply.summary.commandId}${remoteArgs(target)}`,
      );
    }
  }
  const nothing = await whyNothingRemote(command, reply.summary, target, io);
  if (nothing) io.err(nothing);
  const steps = nextSteps(reply.summary, { remote: remoteArgs(target) });
  if (steps) io.err(steps);
  return exitCodeOfSummary(reply.summary);
}

/** whyNothingToResume from the stage's ledger table; said only when the table can be read. */
async function whyNothingRemote(
  command: Command,
  summary: Summary,
  target: RemoteTarget,
  io: CliIo,
): Promise<string | undefined> {
  if (command.action !== 'resume' || summary.targets > 0) return undefined;
  try {
    const { ledger } = await remoteLedger(clientsFor(target, io), target);
    return await whyNothingToResume(command, summary, ledger);
  } catch {
    // Only an explanation: the resume itself is reported either way.
    return undefined;
  }
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

/**
 * Asks with the numbers the pause is about, from a plan (a dry run: list calls only) on a runtime of its own,
 * closed before the question, so that the ledger is not held while the operator thinks.
 */
async function confirmedLocally(command: Command, accounts: AccountsFile, values: ActionValues, io: CliIo): Promise<boolean> {
  if (!io.ask) return false;
  const preview = await createLocalRuntime({
    accounts,
    adapters,
    secrets: createLocalSecretSource({ env: io.env }),
    stateDir: stateDirOf(values, io.env),
    ledgerOptions: ledgerOptions(values, io),
  });
  let plan: Plan;
  try {
    ({ plan } = await runCommand({ ...command, dryRun: true, commandId: randomUUID() }, preview));
  } finally {
    await preview.close();
  }
  const acting = plan.targets.filter((t) => t.decision.kind === 'act');
  const inAccounts = new Set(acting.map((t) => `${t.target.provider}/${t.target.account}`)).size;
  const unlisted = plan.accountFailures.length;
  const question = `Pause every migration task: ${count(acting.length, 'running task')} in ${count(inAccounts, 'account')}${
    unlisted ? `, and ${count(unlisted, 'account')} that could not be listed` : ''
  }? [y/N] `;
  return isYes(await io.ask(question));
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const PAUSE_MODES = ['target', 'all'] as const;
const isPauseMode = (mode: string): mode is (typeof PAUSE_MODES)[number] => (PAUSE_MODES as readonly string[]).includes(mode);

export function commandFromFlags(
  action: 'pause' | 'resume',
  dryRun: boolean,
  v: ActionValues,
  env: Record<string, string | undefined>,
  issues: FieldIssue[],
): CommandInput {
  const pauseMode = v['pause-mode'];
  if (pauseMode !== undefined && !isPauseMode(pauseMode)) {
    issues.push({ path: '--pause-mode', message: `"${pauseMode}" is not a pause mode (${PAUSE_MODES.join(' or ')})` });
  }
  return {
    action,
    dryRun,
    reason: v.reason ?? '',
    requestedBy: v['requested-by'] ?? env.USER ?? 'cli',
    ...(v.source ? { source: v.source } : {}),
    ...(v.until ? { until: v.until } : {}),
    ...(v['command-id'] ? { commandId: v['command-id'] } : {}),
    scope: scopeFromFlags(v, issues),
    options: {
      ...(pauseMode !== undefined && isPauseMode(pauseMode) ? { 'huawei-drs': { pauseMode } } : {}),
      ...(v['migrate-failed-objects'] ? { 'huawei-oms': { migrateFailedObject: true } } : {}),
      force: v.force ?? false,
      ...(v['allow-irreversible'] ? { allowIrreversible: true } : {}),
    },
  };
}

/** --json: what happened to each target, in the key form status, history and --task use. */
function outcomesView(result: Awaited<ReturnType<typeof runCommand>>) {
  return result.outcomes.map((o) => ({
    target: targetKey(o.target),
    name: o.target.name,
    outcome: o.outcome,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.errorClass ? { errorClass: o.errorClass } : {}),
    ...(o.providerCode ? { providerCode: o.providerCode } : {}),
  }));
}

function planView(result: Awaited<ReturnType<typeof runCommand>>) {
  return result.plan.targets.map(({ target, decision }) => ({
    ...target,
    decision:
      decision.kind === 'act' ? `will ${result.summary.action}` : decision.kind === 'hold' ? 'already-paused' : decision.outcome,
    reason: decision.kind === 'act' ? undefined : decision.reason,
  }));
}
