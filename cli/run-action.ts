import { join } from 'node:path';
import type { Command } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import { type Summary, targetKey } from '../lib/core/types';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import { loadAccounts } from './accounts';
import { type ActionValues, commandOf } from './command-from-flags';
import { confirmedLocally, confirmedRemotely, needsConfirmation } from './confirm';
import { UsageError } from './errors';
import { eventsFileDeps } from './events-file';
import { EXIT, exitCodeOfSummary } from './exit-codes';
import { remoteArgs, remoteTargetOf, stateArgs, stateDirOf } from './flags';
import { formatFailures, formatIrreversible, formatNotResumed, formatPauseKinds, formatSummary, nextSteps } from './format';
import { heartbeatMs, startHeartbeat } from './heartbeat';
import type { CliIo } from './io';
import { ledgerOptions, warnIfNoStateDir } from './ledger-access';
import { whyNothingToResume } from './nothing-to-resume';
import { colourWanted, createProgressReporter, type ProgressReporter } from './progress';
import { countingAdapters, expectHeld } from './progress-totals';
import { type IncidentReply, invokeIncident, type RemoteTarget, remoteLedger, remoteNames } from './remote';
import { clientsFor } from './remote-clients';

/** pause, resume and plan: the command from the flags, run here or through the stage's incident function. */
export async function runAction(action: 'pause' | 'resume', dryRun: boolean, values: ActionValues, io: CliIo): Promise<number> {
  const command = commandOf(action, dryRun, values, io.env);
  const remote = remoteTargetOf(values);
  if (remote && values['events-file'] !== undefined) {
    throw new UsageError('--events-file: local runs only: a stage publishes to its eventBusName');
  }
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
    result = await runCommand(command, {
      ...runtime,
      ...(progress ? { onOutcome: progress.onOutcome } : {}),
      ...eventsFileDeps(values['events-file'], io),
    });
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

async function runRemote(command: Command, target: RemoteTarget, values: ActionValues, io: CliIo): Promise<number> {
  const clients = clientsFor(target, io);
  const functionName = remoteNames(target.stage).incidentFunction;
  if (needsConfirmation(command, values, io) && !(await confirmedRemotely(command, clients, target, io))) {
    io.err('not confirmed: nothing was paused (pass --yes to skip this question)');
    return EXIT.badInput;
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
