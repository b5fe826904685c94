import type { ProviderKey } from '../lib/providers/types';
import type { AppliedAction, SimTask } from './types';

/** A task as the simulator holds it: its state now, plus the changes already decided and due later. */
export interface StoredTask {
  task: SimTask;
  /** Ordered by `at`; applied lazily whenever the task is read, so no timers are needed. */
  pending: Array<{ at: number; state: string }>;
  /** DRS: the transfer state a pause interrupted, which a retry returns to. */
  stateBeforePause?: string;
  /** Position in the scenario, for stable list order. */
  order: number;
}

function key(provider: ProviderKey, id: string): string {
  return `${provider}\u0000${id}`;
}

export class TaskStore {
  private readonly tasks = new Map<string, StoredTask>();
  /** Every action accepted, in order: what a test counts to find a task acted on twice. */
  readonly applied: AppliedAction[] = [];

  constructor(
    tasks: readonly SimTask[],
    private readonly now: () => number,
  ) {
    tasks.forEach((task, order) => {
      this.tasks.set(key(task.provider, task.id), { task: { ...task }, pending: [], order });
    });
  }

  /** The task with every transition that is due applied. */
  get(provider: ProviderKey, id: string): StoredTask | undefined {
    const stored = this.tasks.get(key(provider, id));
    if (stored !== undefined) this.settle(stored);
    return stored;
  }

  /** The account's tasks of one provider, settled, in scenario order. */
  list(provider: ProviderKey, account: string): StoredTask[] {
    const found = [...this.tasks.values()].filter((s) => s.task.provider === provider && s.task.account === account);
    for (const stored of found) this.settle(stored);
    return found.sort((a, b) => a.order - b.order);
  }

  /** A change by hand (or a test): replaces the state and cancels whatever was in flight. */
  override(provider: ProviderKey, id: string, state: string): boolean {
    const stored = this.tasks.get(key(provider, id));
    if (stored === undefined) return false;
    stored.task.state = state;
    stored.pending = [];
    return true;
  }

  /** Sets the state now (when given) and replaces the pending transitions with `later`. */
  transition(stored: StoredTask, immediate: string | undefined, later: Array<{ afterMs: number; state: string }>): void {
    if (immediate !== undefined) stored.task.state = immediate;
    const start = this.now();
    const toward = later.at(-1)?.state ?? immediate ?? stored.task.state;
    this.applied.push({ provider: stored.task.provider, taskId: stored.task.id, toward, at: start });
    stored.pending = later.map((step) => ({ at: start + step.afterMs, state: step.state }));
  }

  private settle(stored: StoredTask): void {
    const now = this.now();
    while (stored.pending.length > 0) {
      const next = stored.pending[0];
      if (next === undefined || next.at > now) break;
      stored.task.state = next.state;
      stored.pending.shift();
    }
  }
}
