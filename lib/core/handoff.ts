import type { ProviderKey } from '../providers/types';
import type { Command } from './command';
import type { Chunk, ChunkPhase } from './dispatch';
import type { HandedBack } from './execute';
import { inParallel } from './holds';
import { holdStatus, type Ledger } from './ledger';
import { failedOutcome } from './outcome';
import type { Recorder } from './recorder';
import type { AccountSessions } from './sessions';
import { targetKey } from './types';
import { toWorkMessage, type WorkMessage, type WorkQueue } from './work';

/**
 * A pause given up before its call was ever made leaves the pending hold it wrote ahead: it would be taken for ours
 * the day someone pauses the task by hand. The holds this command wrote for such targets go, under each target's
 * lease (a target busy with another command keeps its hold pending: the next command on it settles it).
 */
async function dropUnsentPendingHolds(
  command: Command,
  scope: string,
  handedBack: readonly HandedBack[],
  deps: HandoffDeps,
): Promise<void> {
  if (command.action !== 'pause') return;
  const keys = handedBack.filter(({ phase }) => phase !== 'confirm').map(({ item }) => targetKey(item.target));
  if (keys.length === 0) return;
  const lease = { holder: `${scope}@gave-up`, expiresAt: deps.now().getTime() + 60_000 };
  const leased = await deps.ledger.acquireLeases(keys, lease);
  const changes = [...leased].flatMap(([key, holds]) =>
    holds.some((h) => h.source === command.source && h.commandId === command.commandId && holdStatus(h) === 'pending')
      ? [{ key, remove: [command.source] }]
      : [{ key }],
  );
  await deps.ledger.changeHolds(lease.holder, changes, { releaseLease: true });
}

/** A target handed back this many times fails as retryable instead of going round again (a stuck provider). */
export const MAX_HANDOFFS = 5;

export interface HandoffDeps {
  ledger: Ledger;
  sessions: AccountSessions;
  workQueue?: WorkQueue;
  now: () => Date;
}

/**
 * The deadline hand-off: sends what this delivery could not finish (its deadline came, or another command kept a
 * target busy) to the work queues as hand-off `handoff`, grouped by account and phase at the provider's batch limit.
 * The targets' claims in `scope` are finished once sent, so a duplicate of this delivery knows they went on. Without
 * a work queue, or past MAX_HANDOFFS, they fail as retryable (the DLQ keeps them for a redrive) rather than vanish.
 * Returns the chunks handed on.
 */
export async function handOn(
  command: Command,
  scope: string,
  handedBack: readonly HandedBack[],
  handoff: number,
  deps: HandoffDeps,
  record: Recorder,
): Promise<Chunk[]> {
  if (handedBack.length === 0) return [];
  if (!deps.workQueue || handoff > MAX_HANDOFFS) {
    const at = deps.now().toISOString();
    const limit = deps.workQueue ? `handed back ${MAX_HANDOFFS} times` : 'not finished here';
    await record(
      handedBack.map(({ item, phase, why }) => {
        const failed = failedOutcome(
          item.target,
          {
            reason: `${limit}: ${why ?? 'stopped at the deadline'} ${phase === 'confirm' ? 'after the provider accepted the action, before it was confirmed' : 'before any provider call'}; redrive it`,
            errorClass: 'retryable',
            attempts: phase === 'confirm' ? 1 : 0,
          },
          at,
        );
        return phase === 'confirm' ? failed : { ...failed, notApplied: true as const };
      }),
      scope,
    );
    await dropUnsentPendingHolds(command, scope, handedBack, deps);
    return [];
  }
  const groups = new Map<string, Chunk>();
  for (const { item, phase } of handedBack) {
    const account = deps.sessions.handle(item.target.account);
    if (!account) continue; // handed back by a chunk of this account, so it exists
    const id = `${item.target.account}|${phase}`;
    const group = groups.get(id) ?? { account, items: [], phase };
    group.items.push(item);
    groups.set(id, group);
  }
  const chunks: Chunk[] = [];
  for (const group of groups.values()) {
    const size = group.account.capabilities.batchLimit;
    for (let i = 0; i < group.items.length; i += size) {
      chunks.push({ account: group.account, items: group.items.slice(i, i + size), phase: group.phase });
    }
  }
  await sendToWorkQueues(command, chunks, deps.workQueue, handoff);
  await inParallel(handedBack, ({ item }) => deps.ledger.finishClaim(scope, targetKey(item.target)));
  return chunks;
}

/** One work message per chunk, sent to its provider's queue (in batches per provider). */
export async function sendToWorkQueues(command: Command, chunks: readonly Chunk[], queue: WorkQueue, handoff = 0): Promise<void> {
  const byProvider = new Map<ProviderKey, WorkMessage[]>();
  for (const chunk of chunks) {
    const list = byProvider.get(chunk.account.config.provider) ?? [];
    list.push(toWorkMessage(command, chunk, chunk.phase ?? 'act', handoff));
    byProvider.set(chunk.account.config.provider, list);
  }
  await Promise.all([...byProvider].map(([provider, messages]) => queue.send(provider, messages)));
}

export type { ChunkPhase };
