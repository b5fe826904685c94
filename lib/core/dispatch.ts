import type { ProviderTask } from '../providers/types';
import type { AccountHandle, AccountSessions } from './sessions';
import type { PlannedTarget, Target } from './types';

/** Targets of one account sized to one provider call (its batch limit, or the account's batch size). */
export interface Chunk {
  account: AccountHandle;
  items: { target: Target; task: ProviderTask }[];
}

/** Splits the targets that need a provider call into chunks per (provider, account). Pure. */
export function chunkPlan(targets: readonly PlannedTarget[], sessions: AccountSessions): Chunk[] {
  const byAccount = new Map<string, Chunk['items']>();
  for (const { target, decision } of targets) {
    if (decision.kind !== 'act') continue;
    const items = byAccount.get(target.account) ?? [];
    items.push({ target, task: decision.task });
    byAccount.set(target.account, items);
  }
  const chunks: Chunk[] = [];
  for (const [name, items] of byAccount) {
    const account = sessions.handle(name);
    if (!account) throw new Error(`planned targets for unknown account ${name}`);
    const size = account.capabilities.batchLimit;
    for (let i = 0; i < items.length; i += size) chunks.push({ account, items: items.slice(i, i + size) });
  }
  return chunks;
}

/**
 * Runs chunks in-process: accounts in parallel, and within an account at most `perAccount` chunks at a time
 * (the account's rate limiter paces the calls; concurrency keeps confirmation waits from idling it).
 */
export async function runChunks<T>(
  chunks: readonly Chunk[],
  perAccount: number,
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
    [...queues.values()].flatMap((queue) =>
      Array.from({ length: Math.min(perAccount, queue.length) }, async () => {
        for (let chunk = queue.shift(); chunk; chunk = queue.shift()) results.push(await run(chunk));
      }),
    ),
  );
  return results;
}
