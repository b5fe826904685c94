import type { Ledger } from '../core/ledger';

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
    pausedByUs: async () => (await ledger()).pausedByUs(),
    release: async (key, source) => (await ledger()).release(key, source),
    acquireLeases: async (keys, lease) => (await ledger()).acquireLeases(keys, lease),
    releaseLeases: async (keys, holder) => (await ledger()).releaseLeases(keys, holder),
    recordOutcome: async (commandId, outcome) => (await ledger()).recordOutcome(commandId, outcome),
    outcomesOf: async (commandId) => (await ledger()).outcomesOf(commandId),
    claim: async (scope, key, lease) => (await ledger()).claim(scope, key, lease),
    finishClaim: async (scope, key) => (await ledger()).finishClaim(scope, key),
    history: async (filter) => (await ledger()).history(filter),
    // Nothing to make durable before the first use.
    flush: async () => (opened ? (await opened).flush() : undefined),
  };
}
