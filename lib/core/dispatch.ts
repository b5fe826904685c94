import type { ProviderTask } from '../providers/types';
import type { AccountHandle, AccountSessions } from './sessions';
import type { PlannedTarget, Target } from './types';

/**
 * Where a chunk's execution starts: `act` (call the provider), `hold` (pause: add this source's hold to a task
 * already paused under one of ours, after reading it again), `confirm` (the provider already accepted the action,
 * at a deadline hand-off: only read it back).
 */
export type ChunkPhase = 'act' | 'hold' | 'confirm';

export interface ChunkItem {
  target: Target;
  task: ProviderTask;
  /**
   * Handed on in the `confirm` phase after a request that went out and got no answer (a timeout, a dropped
   * connection): unlike an accepted one, it may never have reached the provider. Read back unmoved for the whole
   * confirmation deadline, it did not take effect.
   */
  unanswered?: true;
  /**
   * Handed on in the `confirm` phase after the provider refused a pause as if the task were already paused, with
   * nothing of ours to explain it (no hold of ours, no earlier attempt that may have been carried out). Found paused,
   * it is someone else's pause; found running, the request did nothing.
   */
  refused?: true;
}

/** Targets of one account sized to one provider call (its batch limit, or the account's batch size). */
export interface Chunk {
  account: AccountHandle;
  items: ChunkItem[];
  /** Default `act`. */
  phase?: ChunkPhase;
}

/** Splits the targets that need a provider call or a hold into chunks per (provider, account, phase). Pure. */
export function chunkPlan(targets: readonly PlannedTarget[], sessions: AccountSessions): Chunk[] {
  const byAccount = new Map<string, { name: string; phase: ChunkPhase; items: Chunk['items'] }>();
  for (const { target, decision } of targets) {
    if (decision.kind === 'settled') continue;
    const phase: ChunkPhase = decision.kind;
    const id = `${target.account}|${phase}`;
    const group = byAccount.get(id) ?? { name: target.account, phase, items: [] };
    group.items.push({ target, task: decision.task });
    byAccount.set(id, group);
  }
  const chunks: Chunk[] = [];
  for (const { name, phase, items } of byAccount.values()) {
    const account = sessions.handle(name);
    if (!account) throw new Error(`planned targets for unknown account ${name}`);
    const size = account.capabilities.batchLimit;
    for (let i = 0; i < items.length; i += size) {
      chunks.push({ account, items: items.slice(i, i + size), ...(phase === 'act' ? {} : { phase }) });
    }
  }
  return chunks;
}

/**
 * How many chunks of one account run at once in-process by default: enough to keep ~2 × (confirm interval + 1 s)
 * of the account's requests queued at its rate. A chunk spends most of its life asleep between its action and its
 * read-back; with fewer chunks in flight the account's rate budget idles meanwhile (8 at 20 req/s and a 2–3 s
 * interval ran 4× slower than the rate allows). More would only queue calls that may start after a deadline.
 */
export function chunkConcurrency(account: AccountHandle): number {
  const { confirm } = account.capabilities;
  // The rate the account's limiter has learned so far, not the one it started from: runChunks asks again as chunks
  // end, so the chunks in flight grow with the rate (and a start at 5/s is not held there by too few chunks).
  return Math.max(8, Math.ceil((2 * account.currentRate() * (confirm.intervalMs + 1_000)) / 1_000));
}

/**
 * Runs chunks in-process: accounts in parallel, and within an account at most `perAccount` chunks at a time
 * (a number, or per account; the account's rate limiter paces the calls, concurrency keeps confirmation waits
 * from idling it).
 */
export async function runChunks<T>(
  chunks: readonly Chunk[],
  perAccount: number | ((account: AccountHandle) => number),
  run: (chunk: Chunk) => Promise<T>,
): Promise<T[]> {
  const queues = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    const queue = queues.get(chunk.account.config.name) ?? [];
    queue.push(chunk);
    queues.set(chunk.account.config.name, queue);
  }
  const results: T[] = [];
  await Promise.all(
    [...queues.values()].map(
      (queue) =>
        new Promise<void>((resolve, reject) => {
          const account = queue[0]?.account;
          const limit = () => Math.max(1, !account ? 0 : typeof perAccount === 'number' ? perAccount : perAccount(account));
          let active = 0;
          // The limit is asked again each time a chunk ends: it may have grown with the account's learned rate.
          const pump = () => {
            for (
              let chunk = active < limit() ? queue.shift() : undefined;
              chunk;
              chunk = active < limit() ? queue.shift() : undefined
            ) {
              active += 1;
              run(chunk).then((result) => {
                results.push(result);
                active -= 1;
                if (queue.length === 0 && active === 0) resolve();
                else pump();
              }, reject);
            }
          };
          if (queue.length === 0) resolve();
          else pump();
        }),
    ),
  );
  return results;
}

/** Most targets in one work message: a worker pays its per-message ledger costs (outcome batches) once per this many. */
export const WORK_MESSAGE_TARGETS = 100;

/**
 * The chunks of a plan regrouped for the work queues: per account and phase, up to WORK_MESSAGE_TARGETS targets a
 * message. A worker still calls the provider at its batch limit (the adapter splits), but records its outcomes and
 * reads its ledger in one go per message — at 100,000 targets, tens of thousands of one-target messages would cost
 * the ledger (and SQS) a request each for what one request can carry.
 */
export function forWorkQueues(chunks: readonly Chunk[], maxTargets = WORK_MESSAGE_TARGETS): Chunk[] {
  const buffer = new WorkMessageBuffer(maxTargets);
  return [...buffer.add(chunks), ...buffer.rest()];
}

/**
 * forWorkQueues for a plan that comes page by page: a message goes out as soon as it is full, and what is left of
 * each (account, phase) waits for the next page, so pages do not cut messages short. `rest` empties it at the end.
 */
export class WorkMessageBuffer {
  private readonly groups = new Map<string, Chunk>();

  constructor(private readonly maxTargets = WORK_MESSAGE_TARGETS) {}

  /** The full messages the chunks complete. */
  add(chunks: readonly Chunk[]): Chunk[] {
    const full: Chunk[] = [];
    for (const chunk of chunks) {
      const id = `${chunk.account.config.name}|${chunk.phase ?? 'act'}`;
      const group = this.groups.get(id) ?? { account: chunk.account, items: [], ...(chunk.phase ? { phase: chunk.phase } : {}) };
      group.items.push(...chunk.items);
      while (group.items.length >= this.maxTargets) full.push({ ...group, items: group.items.splice(0, this.maxTargets) });
      this.groups.set(id, group);
    }
    return full;
  }

  /** Every message not yet full. */
  rest(): Chunk[] {
    const rest = [...this.groups.values()].filter((group) => group.items.length > 0);
    this.groups.clear();
    return rest;
  }
}
