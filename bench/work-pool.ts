import type { WorkMessage, WorkQueue } from '../lib/core/work';
import type { ProviderKey } from '../lib/providers/types';

/**
 * The work queue that P1 adaptive's worker processes share, kept by the parent: the plan's work messages, handed out
 * on demand to whichever worker asks next for an account — as a worker on AWS takes the next message from its
 * provider's queue when it is free, so a worker that gets less of an account's rate simply takes fewer chunks, and no
 * worker is left with a fixed share of the work after the others have finished theirs.
 *
 * A message is handed out a provider call's worth at a time (the account's batch limit), the chunk a single process
 * runs (runChunks): a worker keeps as many of an account's chunks in flight as it would in-process, and the run ends
 * with the last chunk, not with the last 100-target message (WORK_MESSAGE_TARGETS, sized to save ledger requests).
 *
 * A worker asking for an account with nothing queued waits while the plan is still being made, and is answered
 * `undefined` once the plan is sent (`close`) and that account has nothing left.
 */
export class WorkPool implements WorkQueue {
  private readonly queued = new Map<string, WorkMessage[]>();
  private readonly waiting = new Map<string, ((message: WorkMessage | undefined) => void)[]>();
  private closed = false;

  constructor(private readonly batchLimitOf: (account: string) => number) {}

  async send(_provider: ProviderKey, messages: readonly WorkMessage[]): Promise<void> {
    if (this.closed) throw new Error('the work pool is closed: the plan was already sent');
    for (const message of messages) {
      const size = Math.max(1, this.batchLimitOf(message.account));
      for (let i = 0; i < message.items.length; i += size) this.put({ ...message, items: message.items.slice(i, i + size) });
    }
  }

  /** The next chunk of the account's work; undefined once the plan is sent and the account has none left. */
  next(account: string): Promise<WorkMessage | undefined> {
    const message = this.queued.get(account)?.shift();
    if (message || this.closed) return Promise.resolve(message);
    return new Promise((resolve) => listOf(this.waiting, account).push(resolve));
  }

  /** The whole plan is sent: whoever waits on an account with nothing queued is told there is no more. */
  close(): void {
    this.closed = true;
    for (const waiters of this.waiting.values()) for (const resolve of waiters.splice(0)) resolve(undefined);
  }

  private put(message: WorkMessage): void {
    const waiter = this.waiting.get(message.account)?.shift();
    if (waiter) waiter(message);
    else listOf(this.queued, message.account).push(message);
  }
}

function listOf<T>(lists: Map<string, T[]>, key: string): T[] {
  const list = lists.get(key) ?? [];
  lists.set(key, list);
  return list;
}
