import type { WorkMessage, WorkQueue } from '../core/work';
import type { ProviderKey } from '../providers/types';

/** The embedded work queue: messages kept in memory, per provider, in the order they were sent. */
export class MemoryWorkQueue implements WorkQueue {
  readonly sent: { provider: ProviderKey; message: WorkMessage }[] = [];

  async send(provider: ProviderKey, messages: readonly WorkMessage[]): Promise<void> {
    for (const message of messages) this.sent.push({ provider, message });
  }

  /** Takes every message sent so far, leaving the queue empty (a worker draining it). */
  drain(): WorkMessage[] {
    return this.sent.splice(0).map((s) => s.message);
  }
}
