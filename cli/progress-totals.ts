import type { Command } from '../lib/core/command';
import type { Ledger } from '../lib/core/ledger';
import { inScope } from '../lib/core/scope';
import type { AdapterRegistry } from '../lib/core/sessions';
import { PROVIDER_KEYS, type ProviderKey } from '../lib/providers/keys';
import type { ProgressReporter } from './progress';

/** The adapters, with each account's listing counted as it arrives: the progress bar's total for a pause. */
export function countingAdapters(registry: AdapterRegistry, command: Command, progress: ProgressReporter): AdapterRegistry {
  const wrapped = { ...registry };
  for (const key of PROVIDER_KEYS) {
    const adapter = registry[key];
    wrapped[key] = {
      key: adapter.key,
      capabilities: adapter.capabilities,
      open(context) {
        const session = adapter.open(context);
        return {
          get: (ids) => session.get(ids),
          pause: (tasks, options) => session.pause(tasks, options),
          resume: (tasks, options) => session.resume(tasks, options),
          list: async () => {
            const tasks = await session.list();
            progress.expect(key, tasks.filter((t) => inScope(t, command.scope)).length);
            return tasks;
          },
        };
      },
    };
  }
  return wrapped;
}

/** A resume's total: the holds it may lift (the resume itself decides each one). */
export async function expectHeld(command: Command, ledger: Ledger, progress: ProgressReporter): Promise<void> {
  const keys = new Map<string, ProviderKey>();
  for await (const page of command.options.force ? ledger.allHolds() : ledger.holdsOfSource(command.source)) {
    for (const hold of page) if (inScope(hold.target, command.scope)) keys.set(hold.key, hold.target.provider);
  }
  for (const provider of keys.values()) progress.expect(provider, 1);
}
