import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CommandValidationError } from '../lib/core/errors';
import { PENDING_GRACE_MS } from '../lib/core/holds';
import { holdStatus, type Ledger, type PauseRecord } from '../lib/core/ledger';
import { resolvePendingFromProviders } from '../lib/core/pending';
import { AccountSessions } from '../lib/core/sessions';
import type { FileLedgerOptions } from '../lib/local/ledger-file';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';
import { loadAccounts } from './accounts';
import { accountsPathOf, type FlagValues, type MODE_FLAGS, remoteTargetOf, stateDirOf } from './flags';
import type { CliIo } from './io';
import { remoteLedger, withAccessHints } from './remote';
import { clientsFor } from './remote-clients';

type ModeValues = FlagValues<typeof MODE_FLAGS>;

/**
 * The ledger status, history and release use: the local file, or the stage's table; `read` adds remote-mode hints
 * and gives the local ledger (and its lock) back once done.
 */
export async function openLedger(
  values: ModeValues,
  io: CliIo,
): Promise<{ ledger: Ledger; read: <T>(call: () => Promise<T>) => Promise<T> }> {
  const remote = remoteTargetOf(values);
  if (remote) {
    const { ledger, tableName } = await remoteLedger(clientsFor(remote, io), remote);
    return { ledger, read: (call) => withAccessHints(remote, io.env, `read ledger table ${tableName}`, call) };
  }
  warnIfNoStateDir(values, io);
  const { FileLedger } = await import('../lib/local/ledger-file');
  const ledger = await FileLedger.open(join(stateDirOf(values, io.env), 'ledger.json'), ledgerOptions(values, io));
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

/**
 * A state directory that is not there holds no pause: the usual cause of "nothing is held" and "0 targets" is
 * a run from another directory, or another --state-dir, than the pause's.
 */
export function warnIfNoStateDir(values: ModeValues, io: CliIo): void {
  const directory = stateDirOf(values, io.env);
  if (existsSync(directory)) return;
  io.err(
    `warning: the state directory ${resolve(directory)} does not exist, so no pause made from here is known — pass --state-dir DIR or set MIGRATION_PAUSER_STATE_DIR to the directory the pause used`,
  );
}

/** How the CLI opens the embedded ledger: waits --wait seconds (default 60) for another run, saying so once. */
export function ledgerOptions(values: ModeValues, io: CliIo): FileLedgerOptions {
  const seconds = values.wait === undefined ? 60 : Number(values.wait);
  if (values.wait?.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new CommandValidationError([{ path: '--wait', message: `${values.wait} is not a number of seconds (e.g. 60, or 0)` }]);
  }
  const directory = stateDirOf(values, io.env);
  return {
    waitMs: seconds * 1000,
    onWait: (holder) => io.err(`waiting for the ledger in ${directory}: held by pid ${holder.pid} since ${holder.since}`),
  };
}

/**
 * `status` in local mode settles unconfirmed holds it can: it asks each account's provider about them (when the
 * accounts file is there). A provider it cannot reach leaves them unconfirmed; status still shows everything.
 */
export async function settleUnconfirmed(
  holds: PauseRecord[],
  ledger: Ledger,
  values: ModeValues,
  io: CliIo,
): Promise<PauseRecord[]> {
  if (!holds.some((h) => holdStatus(h) === 'pending')) return holds;
  const accounts = await loadAccounts(values, io.env).catch(() => undefined);
  if (!accounts) {
    io.err(
      `unconfirmed holds are shown as they are: the accounts file ${accountsPathOf(values, io.env)} could not be read to ask the providers`,
    );
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
