import type { ProviderTask } from '../providers/types';
import type { Command } from './command';
import { taskIdSchema } from './command';
import { decidePause, decideResume, decideStillHeld } from './decide';
import { errorClassOf, ProviderError } from './errors';
import { PENDING_GRACE_MS, resolvePendingHolds } from './holds';
import { activeHolds, holdStatus, type Lease, type Ledger, type PauseRecord } from './ledger';
import { accountInScope, inScope } from './scope';
import type { AccountSessions } from './sessions';
import { type AccountFailure, type Plan, type PlannedTarget, type Target, targetKey } from './types';

export interface PlanDeps {
  sessions: AccountSessions;
  ledger: Ledger;
  now: () => Date;
  /** The lease taken while pending holds are resolved from what the plan reads. */
  lease: Lease;
}

/**
 * Pause: list every account in scope, keep the tasks in scope, decide each one from its live state. The listing
 * also resolves pending holds of ours on those tasks (paused ⇒ held, running ⇒ removed): a pause that died
 * mid-way is settled by the next one.
 */
export async function planPause(command: Command, deps: PlanDeps): Promise<Plan> {
  const { sessions } = deps;
  const accounts = sessions
    .all()
    .filter((h) => accountInScope({ provider: h.config.provider, name: h.config.name }, command.scope));
  const listed: ProviderTask[] = [];
  const accountFailures: AccountFailure[] = [];
  await Promise.all(
    accounts.map(async (handle) => {
      try {
        for (const task of await (await sessions.session(handle.config.name)).list()) {
          if (inScope(task, command.scope)) listed.push(task);
        }
      } catch (error) {
        accountFailures.push(accountFailureOf(handle.config.provider, handle.config.name, error));
      }
    }),
  );
  // Only a task already paused needs its holds: ours get this command's hold too; a pending one of ours is settled.
  const pausedNow = listed.filter((t) => t.phase === 'paused' || t.phase === 'pausing');
  const holds = pausedNow.length ? await deps.ledger.holdsOf(pausedNow.map((t) => targetKey(targetOf(t)))) : [];
  const heldKeys = new Set(holds.map((h) => h.key));
  const pending = holds.filter((h) => holdStatus(h) === 'pending');
  if (pending.length) {
    await resolvePendingHolds(pending, new Map(pausedNow.map((t) => [targetKey(targetOf(t)), t])), deps);
  }
  const targets = listed.map((task): PlannedTarget => {
    const target = targetOf(task);
    return {
      target,
      decision: decideListed(task, heldKeys.has(targetKey(target)), command.options.allowIrreversible === true),
    };
  });
  return { command, targets: sortTargets(targets), accountFailures };
}

/**
 * Resume: the targets this command's source holds (every held target, on force), in scope. A target still held by
 * another source that counts (not expired) only loses this source's hold; the rest are read back to decide. The
 * sweep (expiredHolds) takes targets whose every hold has expired, and resolves stale pending holds on the way.
 */
export async function planResume(command: Command, deps: PlanDeps): Promise<Plan> {
  const targets: PlannedTarget[] = [];
  for await (const page of planResumePages(command, deps)) targets.push(...page);
  // An account that cannot be read fails its own targets (each with the reason); none is lost from the plan.
  return { command, targets: sortTargets(targets), accountFailures: [] };
}

/**
 * The resume's plan, page by page, from this source's own holds (or, on force and for the sweep, every hold): each
 * page's targets are planned on all their holds, read once. Linear in the holds, and never more than a page of
 * them at once: a caller that dispatches each page as it comes holds one page, not the plan, in memory.
 */
export async function* planResumePages(command: Command, deps: PlanDeps): AsyncGenerator<PlannedTarget[]> {
  const everyHold = command.options.force || command.options.expiredHolds === true;
  // One source holds a target once; every hold may list a target once per source, so those pages are de-duplicated.
  const seen = everyHold ? new Set<string>() : undefined;
  for await (const page of everyHold ? deps.ledger.allHolds() : deps.ledger.holdsOfSource(command.source)) {
    const keys = [...new Set(page.filter((h) => !seen?.has(h.key) && inScope({ ...h.target }, command.scope)).map((h) => h.key))];
    for (const key of keys) seen?.add(key);
    if (keys.length === 0) continue;
    const targets: PlannedTarget[] = [];
    await planHeldTargets(command, await deps.ledger.holdsOf(keys), deps, targets);
    if (targets.length) yield targets;
  }
}

/** Plans the resume of some targets from all their holds: which to read back, which this source only lets go. */
async function planHeldTargets(
  command: Command,
  holds: readonly PauseRecord[],
  deps: PlanDeps,
  targets: PlannedTarget[],
): Promise<void> {
  const { sessions } = deps;
  const now = deps.now();
  const force = command.options.force;
  const activeByKey = new Map<string, PauseRecord[]>();
  for (const hold of activeHolds(holds, now)) activeByKey.set(hold.key, [...(activeByKey.get(hold.key) ?? []), hold]);
  const candidates = new Map<string, PauseRecord>();
  const toResolve: PauseRecord[] = [];
  if (command.options.expiredHolds) {
    for (const hold of holds) {
      if (!activeByKey.has(hold.key)) candidates.set(hold.key, hold);
      else if (holdStatus(hold) === 'pending') toResolve.push(hold);
    }
  } else {
    for (const hold of force ? activeHolds(holds, now) : holds.filter((h) => h.source === command.source)) {
      candidates.set(hold.key, hold);
    }
  }
  const toRead: PauseRecord[] = [...toResolve];
  for (const record of candidates.values()) {
    const others = (activeByKey.get(record.key) ?? []).filter((h) => h.source !== command.source).map((h) => h.source);
    if (others.length > 0 && !force) targets.push({ target: record.target, decision: decideStillHeld(others) });
    else toRead.push(record);
  }
  const byAccount = new Map<string, PauseRecord[]>();
  for (const record of toRead) {
    const list = byAccount.get(record.target.account) ?? [];
    list.push(record);
    byAccount.set(record.target.account, list);
  }
  const resolving = new Set(toResolve);
  await Promise.all(
    [...byAccount].map(async ([account, records]) => {
      const handle = sessions.handle(account);
      const planned = records.filter((r) => !resolving.has(r));
      if (!handle) {
        for (const r of planned) {
          targets.push({
            target: r.target,
            decision: { kind: 'settled', outcome: 'skipped', reason: `account ${account} is no longer configured` },
          });
        }
        return;
      }
      let live: Map<string, ProviderTask | ProviderError>;
      try {
        live = await (await sessions.session(account)).get([...new Set(records.map((r) => r.target.taskId))]);
      } catch (error) {
        const failure = accountFailureOf(handle.config.provider, account, error);
        for (const r of planned) {
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
      const stateOf = (r: PauseRecord) =>
        live.get(r.target.taskId) ??
        new ProviderError('the provider did not return this task', {
          errorClass: 'not-found',
          provider: r.target.provider,
          taskId: r.target.taskId,
        });
      // Pending holds are resolved first: the decision then sees a confirmed hold, or none.
      const pending = records.filter((r) => holdStatus(r) === 'pending');
      const resolved = await resolvePendingHolds(pending, new Map(pending.map((r) => [r.key, stateOf(r)])), {
        ...deps,
        graceMs: command.options.expiredHolds ? PENDING_GRACE_MS : 0,
      });
      const after = new Map(resolved.map((h) => [`${h.key}|${h.source}`, h]));
      for (const r of planned) {
        // A pending hold that resolution removed was never in effect: decideResume says so (a pending record).
        const now = holdStatus(r) === 'pending' ? (after.get(`${r.key}|${r.source}`) ?? r) : r;
        targets.push({ target: r.target, decision: decideResume(now, stateOf(r)) });
      }
    }),
  );
}

/**
 * A listed task whose id could escape a request path (a provider that allows `/` or `..` in a name we use as the
 * id) is never acted on: no request is built from it, and a human gets it in the DLQ.
 */
function decideListed(task: ProviderTask, heldByUs: boolean, allowIrreversible: boolean): PlannedTarget['decision'] {
  if (taskIdSchema.safeParse(task.taskId).success) return decidePause(task, heldByUs, allowIrreversible);
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
    ...(task.resumeUnsupportedReason ? { resumeUnsupportedReason: task.resumeUnsupportedReason } : {}),
  };
}

export function accountFailureOf(provider: Target['provider'], account: string, error: unknown): AccountFailure {
  if (error instanceof ProviderError) {
    return {
      provider,
      account,
      errorClass: error.errorClass,
      providerCode: error.providerCode,
      reason: error.message,
      ...(error.unreachable ? { unreachable: error.unreachable } : {}),
    };
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
