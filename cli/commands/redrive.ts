import { join } from 'node:path';
import type { AccountsFile } from '../../lib/config';
import { CommandValidationError } from '../../lib/core/errors';
import { redriveRequestSchema } from '../../lib/core/redrive';
import { runCommand } from '../../lib/core/run';
import { createLocalRuntime } from '../../lib/local/runtime';
import { createLocalSecretSource } from '../../lib/local/secrets';
import { adapters } from '../../lib/providers/registry';
import { loadAccounts } from '../accounts';
import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { EXIT, exitCodeOfSummary } from '../exit-codes';
import { EXIT_CODES_HELP, type FlagTable, MODE_FLAGS, MODE_HELP, remoteArgs, remoteTargetOf, stateDirOf } from '../flags';
import { formatRedrive, formatSummary } from '../format';
import { ledgerOptions, warnIfNoStateDir } from '../ledger-access';
import { isProviderKey, unknownProvider } from '../provider-flag';
import { redriveLocal } from '../redrive-local';
import { redriveRemote, remoteNames } from '../remote';
import { clientsFor } from '../remote-clients';

const USAGE = 'usage: migration-pauser redrive [--command ID] [--provider KEY] [--dry-run] [options]';

const FLAGS = {
  ...MODE_FLAGS,
  command: { type: 'string' },
  provider: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  max: { type: 'string' },
  'requested-by': { type: 'string' },
} as const satisfies FlagTable;

/** The redrive request's fields, as the flags that set them. */
const FLAG_OF: Record<string, string> = {
  commandId: '--command',
  provider: '--provider',
  max: '--max',
  requestedBy: '--requested-by',
};

export default defineCommand({
  name: 'redrive',
  usage: USAGE,
  flags: FLAGS,
  help: `Turns failed targets back into commands: one per failed command and account, the same action, options, source
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
${MODE_HELP}

example:
  migration-pauser redrive --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --dry-run
  migration-pauser redrive --provider huawei-drs --stage prod

${EXIT_CODES_HELP}`,
  async run({ values, io }) {
    if ((values.provider?.length ?? 0) > 1) {
      throw new UsageError('redrive takes at most one --provider (run it once per provider)', { name: 'redrive', usage: USAGE });
    }
    const [provider] = values.provider ?? [];
    if (provider !== undefined && !isProviderKey(provider))
      throw new CommandValidationError([unknownProvider('--provider', provider)]);
    const parsed = redriveRequestSchema.safeParse({
      ...(values.command ? { commandId: values.command } : {}),
      ...(values.provider?.[0] ? { provider: values.provider[0] } : {}),
      dryRun: values['dry-run'] === true,
      ...(values.max !== undefined ? { max: Number(values.max) } : {}),
      // Named in each redriven command's `redrive.by`; the command keeps its original requestedBy.
      requestedBy: values['requested-by'] ?? io.env.USER ?? 'cli',
    });
    if (!parsed.success) {
      io.err(
        `bad redrive:\n${parsed.error.issues.map((i) => `  ${FLAG_OF[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('\n')}`,
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
    warnIfNoStateDir(values, io);
    const stateDir = stateDirOf(values, io.env);
    const failuresPath = join(stateDir, 'failures.jsonl');
    let accounts: AccountsFile | undefined;
    const result = await redriveLocal(failuresPath, request, async (command) => {
      accounts ??= await loadAccounts(values, io.env);
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
    const worst = result.runs.reduce<number>((code, summary) => Math.max(code, exitCodeOfSummary(summary)), EXIT.ok);
    if (values.json) {
      io.out(JSON.stringify(result, null, 2));
      return worst;
    }
    io.out(formatRedrive(result, `failures file ${failuresPath}`));
    for (const summary of result.runs) io.out(formatSummary(summary));
    return worst;
  },
});
