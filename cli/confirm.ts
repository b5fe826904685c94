import { randomUUID } from 'node:crypto';
import type { AccountsFile } from '../lib/config';
import type { Command } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import type { Plan } from '../lib/core/types';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import { type FlagValues, type LOCAL_FLAGS, stateDirOf } from './flags';
import type { CliIo } from './io';
import { ledgerOptions } from './ledger-access';
import { isYes } from './prompt';
import { invokeIncident, type RemoteClients, type RemoteTarget } from './remote';

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
export async function confirmedLocally(
  command: Command,
  accounts: AccountsFile,
  values: FlagValues<typeof LOCAL_FLAGS>,
  io: CliIo,
): Promise<boolean> {
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

/** The same question in remote mode, with the numbers of the stage's own plan (a dry run of the incident function). */
export async function confirmedRemotely(
  command: Command,
  clients: RemoteClients,
  target: RemoteTarget,
  io: CliIo,
): Promise<boolean> {
  if (!io.ask) return false;
  // A fresh id: the plan is not the command, and must not be taken for a first delivery of it.
  const preview = await invokeIncident(clients, target, { ...command, dryRun: true, commandId: randomUUID() }, io.env);
  const tasks = preview.summary.totals.planned ?? 0;
  const providers = Object.keys(preview.summary.byProvider).length;
  return isYes(
    await io.ask(
      `Pause every migration task of stage ${target.stage}: ${count(tasks, 'running task')} of ${count(providers, 'provider')}? [y/N] `,
    ),
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
