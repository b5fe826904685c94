import type { Ledger, PauseRecord } from '../core/ledger';

/**
 * A ledger opened on its first use. The embedded file ledger takes its state directory's lock when opened; a
 * function that never touches the ledger (redrive) must not hold, or wait for, that lock.
 */
export function lazyLedger(open: () => Promise<Ledger>): Ledger {
  let opened: Promise<Ledger> | undefined;
  const ledger = () => {
    opened ??= open().catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
  return {
    recordPause: async (record) => (await ledger()).recordPause(record),
    holdsOf: async (keys) => (await ledger()).holdsOf(keys),
    holdsOfSource: (source) => pagesOf(async () => (await ledger()).holdsOfSource(source)),
    allHolds: () => pagesOf(async () => (await ledger()).allHolds()),
    pausedByUs: async () => (await ledger()).pausedByUs(),
    release: async (key, source) => (await ledger()).release(key, source),
    acquireLeases: async (keys, lease) => (await ledger()).acquireLeases(keys, lease),
    changeHolds: async (holder, changes, options) => (await ledger()).changeHolds(holder, changes, options),
    releaseLeases: async (keys, holder) => (await ledger()).releaseLeases(keys, holder),
    recordOutcomes: async (commandId, outcomes) => (await ledger()).recordOutcomes(commandId, outcomes),
    outcomesOf: async (commandId) => (await ledger()).outcomesOf(commandId),
    claim: async (scope, key, lease) => (await ledger()).claim(scope, key, lease),
    finishClaim: async (scope, key) => (await ledger()).finishClaim(scope, key),
    history: async (filter) => (await ledger()).history(filter),
    // Nothing to make durable before the first use.
    flush: async () => (opened ? (await opened).flush() : undefined),
  };
}

async function* pagesOf(open: () => Promise<AsyncIterable<PauseRecord[]>>): AsyncIterable<PauseRecord[]> {
  yield* await open();
}
