import type { Scope } from './command';

interface Selectable {
  provider: string;
  account: string;
  taskId: string;
  name: string;
}

type Selectors = Omit<Scope, 'all' | 'exclude'>;

/** Whether a task is in a command's scope: every given selector must match, and no exclusion may. */
export function inScope(task: Selectable, scope: Scope): boolean {
  if (scope.exclude && matchesAny(task, scope.exclude)) return false;
  if (scope.all) return true;
  return matchesAll(task, scope);
}

/** Whether an account can hold any task of the scope (saves listing accounts the scope never names). */
export function accountInScope(account: { provider: string; name: string }, scope: Scope): boolean {
  const ex = scope.exclude;
  if (ex?.providers?.includes(account.provider as never) || ex?.accounts?.includes(account.name)) return false;
  if (scope.all) return true;
  if (scope.providers && !scope.providers.includes(account.provider as never)) return false;
  if (scope.accounts && !scope.accounts.includes(account.name)) return false;
  return true;
}

function matchesAll(task: Selectable, s: Selectors): boolean {
  if (s.providers && !s.providers.includes(task.provider as never)) return false;
  if (s.accounts && !s.accounts.includes(task.account)) return false;
  if (s.taskIds && !s.taskIds.includes(task.taskId)) return false;
  if (s.namePattern && !globToRegExp(s.namePattern).test(task.name)) return false;
  return true;
}

/** An exclusion removes a task that matches any one of its selectors ("not DCS, and not task X"). */
function matchesAny(task: Selectable, s: Selectors): boolean {
  return Boolean(
    s.providers?.includes(task.provider as never) ||
      s.accounts?.includes(task.account) ||
      s.taskIds?.includes(task.taskId) ||
      (s.namePattern && globToRegExp(s.namePattern).test(task.name)),
  );
}

const globCache = new Map<string, RegExp>();

/** `*` matches any run of characters, `?` exactly one; everything else is literal. Case-sensitive. */
export function globToRegExp(pattern: string): RegExp {
  const cached = globCache.get(pattern);
  if (cached) return cached;
  const source = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`, 'su');
  globCache.set(pattern, re);
  return re;
}
