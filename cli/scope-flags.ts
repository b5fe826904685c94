import type { CommandInput } from '../lib/core/command';
import type { FieldIssue } from '../lib/core/errors';
import type { ProviderKey } from '../lib/providers/keys';
import type { FlagValues, SCOPE_FLAGS } from './flags';
import { providersOf } from './provider-flag';
import { isTaskKey, parseTaskKey } from './task-key';

type ScopeValues = FlagValues<typeof SCOPE_FLAGS>;
type ScopeInput = CommandInput['scope'];

/**
 * The Command's scope from the scope flags, with every mistake said in flag words (pushed onto `issues`). --task
 * takes a bare id or provider/account/id, the form status and history print.
 */
export function scopeFromFlags(v: ScopeValues, issues: FieldIssue[]): ScopeInput {
  const tasks = tasksOf('--task', v.task, issues);
  const flaggedProviders = providersOf('--provider', v.provider, issues);
  const providers = narrowed(flaggedProviders, tasks.providers);
  const accounts = narrowed(v.account, tasks.accounts);
  const disjoint = (before: unknown[] | undefined, after: unknown[] | undefined) =>
    Boolean(before?.length) && after?.length === 0;
  if (disjoint(flaggedProviders, providers) || disjoint(v.account, accounts)) {
    issues.push({
      path: '--task',
      message: 'its provider/account is not among those of --provider and --account: nothing would match',
    });
  }
  const excluded = tasksOf('--exclude-task', v['exclude-task'], issues, { idsOnly: true });
  const exclude = {
    ...defined('providers', providersOf('--exclude-provider', v['exclude-provider'], issues)),
    ...defined('accounts', v['exclude-account']),
    ...defined('taskIds', excluded.ids),
    ...defined('namePattern', v['exclude-name']),
  };
  const selectors = {
    ...defined('providers', providers),
    ...defined('accounts', accounts),
    ...defined('taskIds', tasks.ids),
    ...defined('namePattern', v.name),
  };
  const selected = [v.provider, v.account, v.task, v.name].some((flag) => flag !== undefined);
  if (!v.all && !selected) {
    issues.push({ path: 'scope', message: 'say --all, or name --provider, --account, --task or --name' });
  }
  if (v.all && selected) {
    issues.push({
      path: '--all',
      message:
        'cannot be combined with --provider, --account, --task or --name (narrow it with --exclude-provider, --exclude-account, --exclude-task or --exclude-name)',
    });
  }
  return {
    ...(v.all ? { all: true } : {}),
    ...selectors,
    ...(Object.keys(exclude).length > 0 ? { exclude } : {}),
  };
}

interface TaskFlags {
  ids?: string[];
  providers?: ProviderKey[];
  accounts?: string[];
}

/**
 * Task ids from bare ids or provider/account/id keys. Keys of one account narrow the scope to it. Keys of several
 * accounts are refused: the scope matches each selector separately, so account A's id would also select a task of
 * account B that happens to have the same id. --exclude-task keeps only the id of a key (it then excludes that id
 * in every account: excluding more is the safe side).
 */
function tasksOf(
  flag: string,
  values: string[] | undefined,
  issues: FieldIssue[],
  options: { idsOnly?: boolean } = {},
): TaskFlags {
  if (values === undefined) return {};
  const ids: string[] = [];
  const pairs = new Map<string, { provider: ProviderKey; account: string }>();
  let bare = 0;
  for (const value of values) {
    if (!value.includes('/')) {
      bare++;
      ids.push(value);
      continue;
    }
    const key = parseTaskKey(flag, value);
    if (!isTaskKey(key)) {
      issues.push(key);
      continue;
    }
    ids.push(key.taskId);
    pairs.set(`${key.provider}/${key.account}`, { provider: key.provider, account: key.account });
  }
  if (options.idsOnly) return { ids };
  if (pairs.size > 0 && bare > 0) {
    issues.push({ path: flag, message: 'give every task as provider/account/id, or every one as a bare id, not both' });
  }
  if (pairs.size > 1) {
    issues.push({
      path: flag,
      message: `tasks of ${pairs.size} accounts (${[...pairs.keys()].join(', ')}): run once per account, since an id of one would also select a task with the same id in another`,
    });
  }
  const [pair] = pairs.values();
  return pair ? { ids, providers: [pair.provider], accounts: [pair.account] } : { ids };
}

/** A flag's values and those of --task keys must both match: what is in both (empty: nothing could match). */
function narrowed<T>(flagged: T[] | undefined, fromTasks: T[] | undefined): T[] | undefined {
  if (!flagged) return fromTasks;
  if (!fromTasks) return flagged;
  return flagged.filter((value) => fromTasks.includes(value));
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
