import type { ProviderTask } from '../providers/types';
import type { Command } from './command';
import { taskIdSchema } from './command';
import { decidePause, decideResume, decideStillHeld } from './decide';
import { errorClassOf, ProviderError } from './errors';
import { activeHolds, type Ledger, type PauseRecord } from './ledger';
import { accountInScope, inScope } from './scope';
import type { AccountSessions } from './sessions';
import type { AccountFailure, Plan, PlannedTarget, Target } from './types';

/** Pause: list every account in scope, keep the tasks in scope, decide each one from its live state. */
export async function planPause(command: Command, sessions: AccountSessions): Promise<Plan> {
  const accounts = sessions
    .all()
    .filter((h) => accountInScope({ provider: h.config.provider, name: h.config.name }, command.scope));
  const targets: PlannedTarget[] = [];
  const accountFailures: AccountFailure[] = [];
  await Promise.all(
    accounts.map(async (handle) => {
      try {
        const tasks = await (await sessions.session(handle.config.name)).list();
        for (const task of tasks) {
          if (inScope(task, command.scope)) targets.push({ target: targetOf(task), decision: decideListed(task) });
        }
      } catch (error) {
        accountFailures.push(accountFailureOf(handle.config.provider, handle.config.name, error));
      }
    }),
  );
  return { command, targets: sortTargets(targets), accountFailures };
}

/**
 * Resume: the targets this command's source holds (every held target, on force), in scope. A target still held by
 * another source that counts (not expired) only loses this source's hold; the rest are read back to decide.
 */
export async function planResume(
  command: Command,
  sessions: AccountSessions,
  ledger: Ledger,
  now: Date = new Date(),
): Promise<Plan> {
  const holds = await ledger.pausedByUs();
  const active = activeHolds(holds, now);
  const force = command.options.force;
  const candidates = new Map<string, PauseRecord>();
  if (command.options.expiredHolds) {
    const stillHeld = new Set(active.map((h) => h.key));
    for (const hold of holds) {
      if (!stillHeld.has(hold.key) && inScope({ ...hold.target }, command.scope)) candidates.set(hold.key, hold);
    }
  } else {
    for (const hold of force ? active : holds) {
      if ((force || hold.source === command.source) && inScope({ ...hold.target }, command.scope)) candidates.set(hold.key, hold);
    }
  }
  const targets: PlannedTarget[] = [];
  const toRead: PauseRecord[] = [];
  for (const record of candidates.values()) {
    const others = active.filter((h) => h.key === record.key && h.source !== command.source).map((h) => h.source);
    if (others.length > 0 && !force) targets.push({ target: record.target, decision: decideStillHeld(others) });
    else toRead.push(record);
  }
  const byAccount = new Map<string, PauseRecord[]>();
  for (const record of toRead) {
    const list = byAccount.get(record.target.account) ?? [];
    list.push(record);
    byAccount.set(record.target.account, list);
  }
  const accountFailures: AccountFailure[] = [];
  await Promise.all(
    [...byAccount].map(async ([account, records]) => {
      const handle = sessions.handle(account);
      if (!handle) {
        for (const r of records) {
          targets.push({
            target: r.target,
            decision: { kind: 'settled', outcome: 'skipped', reason: `account ${account} is no longer configured` },
          });
        }
        return;
      }
      let live: Map<string, ProviderTask | ProviderError>;
      try {
        live = await (await sessions.session(account)).get(records.map((r) => r.target.taskId));
      } catch (error) {
        const failure = accountFailureOf(handle.config.provider, account, error);
        for (const r of records) {
          targets.push({
            target: r.target,
            decision: {
              kind: 'settled',
              outcome: 'failed',
              reason: failure.reason,
              errorClass: failure.errorClass,
              providerCode: failure.providerCode,
            },
          });
        }
        return;
      }
      for (const r of records) {
        const state =
          live.get(r.target.taskId) ??
          new ProviderError('the provider did not return this task', {
            errorClass: 'not-found',
            provider: r.target.provider,
            taskId: r.target.taskId,
          });
        targets.push({ target: r.target, decision: decideResume(r, state) });
      }
    }),
  );
  return { command, targets: sortTargets(targets), accountFailures };
}

/**
 * A listed task whose id could escape a request path (a provider that allows `/` or `..` in a name we use as the
 * id) is never acted on: no request is built from it, and a human gets it in the DLQ.
 */
function decideListed(task: ProviderTask): PlannedTarget['decision'] {
  if (taskIdSchema.safeParse(task.taskId).success) return decidePause(task);
  return {
    kind: 'settled',
    outcome: 'failed',
    errorClass: 'bad-request',
    reason:
      'the provider listed a task id that cannot be put in a request path safely (/, \\, %, .., control or look-alike characters); pause it by hand in the console',
  };
}

export function targetOf(task: ProviderTask): Target {
  return {
    provider: task.provider,
    account: task.account,
    taskId: task.taskId,
    name: task.name,
    stateBefore: task.state,
    phaseBefore: task.phase,
  };
}

export function accountFailureOf(provider: Target['provider'], account: string, error: unknown): AccountFailure {
  if (error instanceof ProviderError) {
    return { provider, account, errorClass: error.errorClass, providerCode: error.providerCode, reason: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { provider, account, errorClass: errorClassOf(error), reason: message };
}

function sortTargets(targets: PlannedTarget[]): PlannedTarget[] {
  return targets.sort((a, b) =>
    a.target.provider === b.target.provider
      ? a.target.account === b.target.account
        ? a.target.taskId.localeCompare(b.target.taskId)
        : a.target.account.localeCompare(b.target.account)
      : a.target.provider.localeCompare(b.target.provider),
  );
}
