import type { Command } from '../lib/core/command';
import type { Ledger } from '../lib/core/ledger';
import { inScope } from '../lib/core/scope';
import type { Summary } from '../lib/core/types';

/**
 * Why a resume found nothing to act on, read from the ledger's holds in its scope: held by another source (the
 * usual 3 a.m. case: the incident paused them as INC-J, the resume said nothing and so lifted `manual`), or not
 * held at all. Undefined when the resume had targets.
 */
export async function whyNothingToResume(command: Command, summary: Summary, ledger: Ledger): Promise<string | undefined> {
  if (command.action !== 'resume' || summary.targets > 0) return undefined;
  const bySource = new Map<string, Set<string>>();
  for await (const page of ledger.allHolds()) {
    for (const hold of page) {
      if (hold.source === command.source || !inScope(hold.target, command.scope)) continue;
      const keys = bySource.get(hold.source) ?? new Set<string>();
      keys.add(hold.key);
      bySource.set(hold.source, keys);
    }
  }
  const held = [...bySource.entries()].map(([source, keys]) => ({ source, count: keys.size })).sort((a, b) => b.count - a.count);
  const [first, ...others] = held;
  if (!first) {
    return `0 targets: migration-pauser holds no task in this scope under any source (status shows what it holds; is this the state directory or stage that paused them?)`;
  }
  const tasks = (n: number) => `${n} ${n === 1 ? 'task is' : 'tasks are'}`;
  if (others.length === 0) return `0 targets: ${tasks(first.count)} held by ${first.source}; add --source ${first.source}`;
  return `0 targets: nothing in scope is held by ${command.source}; ${held
    .map((h) => `${tasks(h.count)} held by ${h.source} (add --source ${h.source})`)
    .join(', ')}; --force resumes them whatever holds them`;
}
