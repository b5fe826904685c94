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
  if (s.namePattern && !globMatches(s.namePattern, task.name)) return false;
  return true;
}

/** An exclusion removes a task that matches any one of its selectors ("not DCS, and not task X"). */
function matchesAny(task: Selectable, s: Selectors): boolean {
  return Boolean(
    s.providers?.includes(task.provider as never) ||
      s.accounts?.includes(task.account) ||
      s.taskIds?.includes(task.taskId) ||
      (s.namePattern && globMatches(s.namePattern, task.name)),
  );
}

/**
 * Whether `name` matches a glob: `*` matches any run of characters, `?` exactly one; everything else is literal.
 * Case-sensitive, by code point. Linear-time (greedy with one backtrack point), so no pattern in a command can
 * make a Lambda spin the way a regular expression with many `.*` would on a long name.
 */
export function globMatches(pattern: string, name: string): boolean {
  const p = [...pattern];
  const s = [...name];
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] !== '*' && (p[pi] === '?' || p[pi] === s[si])) {
      pi += 1;
      si += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      pi += 1;
      mark = si;
    } else if (star !== -1) {
      pi = star + 1;
      mark += 1;
      si = mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi += 1;
  return pi === p.length;
}
