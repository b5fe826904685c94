import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../lib/core/errors';
import type { ProviderAdapter, ProviderSession, ProviderTask, TaskPhase } from '../../lib/providers/types';
import { type Scenario, type SimAccount, type Simulator, startSimulator } from '../../sim';
import { openSimSession, type SessionOptions } from './session';

const PHASES: readonly TaskPhase[] = ['running', 'pausing', 'paused', 'waiting', 'finished', 'failed', 'other'];
const OPTIONS = { force: false } as const;
const WRONG_SECRET = 'FAKEWRONGSECRETKEY0000';

export interface AdapterContractOptions {
  adapter: ProviderAdapter;
  /**
   * A fresh scenario per test. It must hold at least one account of the adapter's provider (the first one is
   * used) with at least one running task that can be paused and resumed.
   */
  scenario: () => Scenario;
  /** An id the provider does not know, in the provider's own id format; derived from a real id by default. */
  unknownTaskId?: string;
}

/**
 * The behaviour every ProviderAdapter must show against the simulator (unstorage style): each provider's
 * integration test calls this, then adds its own cases.
 */
export function describeAdapterContract(name: string, options: AdapterContractOptions): void {
  const { adapter } = options;

  describe(`${name} (adapter contract)`, () => {
    let sim: Simulator;
    let scenario: Scenario;
    let account: SimAccount;

    beforeEach(async () => {
      scenario = options.scenario();
      const own = scenario.accounts.find((a) => a.provider === adapter.key);
      if (own === undefined) throw new Error(`the contract scenario has no ${adapter.key} account`);
      account = own;
      sim = await startSimulator({ scenario });
    });

    afterEach(async () => {
      await sim.close();
    });

    const open = (sessionOptions?: SessionOptions) => openSimSession(adapter, sim, account.name, sessionOptions).session;
    const ownTaskIds = () =>
      scenario.tasks.filter((t) => t.provider === adapter.key && t.account === account.name).map((t) => t.id);
    const requestsOfAccount = () => sim.requests.filter((r) => r.account === account.name);
    // Poll faster than production so the suite stays quick, but give up only at the adapter's own deadline.
    const { deadlineMs } = adapter.capabilities.confirm;
    const pollMs = Math.min(adapter.capabilities.confirm.intervalMs, 25);
    const slowTest = deadlineMs * 2 + 10_000;

    async function aPausableTask(session: ProviderSession): Promise<ProviderTask> {
      const task = (await session.list()).find((t) => t.phase === 'running' && t.resumeUnsupportedReason === undefined);
      if (task === undefined) throw new Error(`the contract scenario has no running ${adapter.key} task to pause`);
      return task;
    }

    it('lists every task of the account, each with a string id and a phase', async () => {
      const session = open();

      const tasks = await session.list();

      expect(tasks.map((t) => t.taskId).sort()).toEqual(ownTaskIds().sort());
      for (const task of tasks) {
        expect(task).toMatchObject({ provider: adapter.key, account: account.name });
        expect(typeof task.taskId).toBe('string');
        expect(PHASES).toContain(task.phase);
      }
    });

    it('reads an unknown id back as a not-found provider error', async () => {
      const unknownId = options.unknownTaskId ?? unknownIdLike(ownTaskIds());
      const session = open();

      const found = await session.get([unknownId]);

      const result = found.get(unknownId);
      expect(result).toBeInstanceOf(ProviderError);
      expect(result).toMatchObject({ errorClass: 'not-found', provider: adapter.key });
    });

    it(
      'pauses a running task, which reaches the paused phase within the confirm deadline',
      async () => {
        const session = open();
        const task = await aPausableTask(session);

        const [result] = await session.pause([task], OPTIONS);

        expect(result).toEqual({ taskId: task.taskId, ok: true });
        expect(await waitForPhase(session, task.taskId, (phase) => phase === 'paused', deadlineMs, pollMs)).toBe('paused');
      },
      slowTest,
    );

    it(
      'resumes a paused task, which then leaves the paused phase',
      async () => {
        const session = open();
        const task = await aPausableTask(session);
        await session.pause([task], OPTIONS);
        await waitForPhase(session, task.taskId, (phase) => phase === 'paused', deadlineMs, pollMs);

        const [result] = await session.resume([task], OPTIONS);

        expect(result).toEqual({ taskId: task.taskId, ok: true });
        const after = await waitForPhase(session, task.taskId, (phase) => phase !== 'paused', deadlineMs, pollMs);
        expect(after).not.toBe('paused');
      },
      slowTest,
    );

    it(
      'acts on a batch of up to its limit: one result per task, in the order given, a task it cannot pause failing alone',
      async () => {
        const session = open();
        const listed = await session.list();
        const running = listed.filter((t) => t.phase === 'running' && t.resumeUnsupportedReason === undefined);
        const stuck = listed.find((t) => t.phase === 'finished' || t.phase === 'failed' || t.phase === 'paused');
        if (stuck === undefined) throw new Error(`the contract scenario has no ${adapter.key} task that cannot be paused`);
        const { batchLimit } = adapter.capabilities;
        // At the limit, the task that cannot be paused in the middle; a one-task provider gets it in a call of its own.
        const batches =
          batchLimit > 1
            ? [running.slice(0, batchLimit - 1).toSpliced(Math.floor((batchLimit - 1) / 2), 0, stuck)]
            : [[running[0] ?? stuck], [stuck]];

        for (const batch of batches) {
          expect(batch.length).toBeLessThanOrEqual(batchLimit);
          const results = await session.pause(batch, OPTIONS);

          expect(results.map((r) => r.taskId)).toEqual(batch.map((t) => t.taskId));
          for (const [i, result] of results.entries()) {
            expect(result.ok, batch[i]?.taskId).toBe(batch[i] !== stuck);
            if (!result.ok) expect(result.error).toBeInstanceOf(ProviderError);
          }
        }
      },
      slowTest,
    );

    it('reads back more tasks than one call carries: an answer for every id, unknown ones not found', async () => {
      const session = open();
      const ids = ownTaskIds();
      const unknown = options.unknownTaskId ?? unknownIdLike(ids);
      expect(ids.length).toBeGreaterThan(adapter.capabilities.batchLimit);

      const read = await session.get([...ids, unknown]);

      expect([...read.keys()].sort()).toEqual([...ids, unknown].sort());
      for (const id of ids) expect(read.get(id), id).not.toBeInstanceOf(ProviderError);
      expect(read.get(unknown)).toMatchObject({ errorClass: 'not-found' });
    });

    it('says the same of every task when listing and when reading it back, irreversible ones included', async () => {
      const session = open();
      const listed = await session.list();
      const read = await session.get(listed.map((t) => t.taskId));

      for (const task of listed) {
        const again = read.get(task.taskId);
        expect(again, task.taskId).not.toBeInstanceOf(ProviderError);
        if (again instanceof ProviderError || again === undefined) continue;
        expect({ phase: again.phase, state: again.state }).toEqual({ phase: task.phase, state: task.state });
        // A task that can never be resumed says why, in words, wherever it is seen.
        expect(again.resumeUnsupportedReason).toBe(task.resumeUnsupportedReason);
        if (task.resumeUnsupportedReason !== undefined) expect(task.resumeUnsupportedReason).toMatch(/\w+ \w+/);
      }
    });

    it('fails with an auth error after exactly one request when the secret key is wrong', async () => {
      const session = open({ editSecret: (secret) => replaceValue(secret, account.secretKey, WRONG_SECRET) });
      const before = requestsOfAccount().length;

      const failure = session.list();

      await expect(failure).rejects.toBeInstanceOf(ProviderError);
      await expect(failure).rejects.toMatchObject({ errorClass: 'auth', provider: adapter.key });
      expect(requestsOfAccount().length - before).toBe(1);
      await expect(failure).rejects.not.toThrow(WRONG_SECRET);
    });

    it('succeeds after one throttled answer', async () => {
      sim.inject({ provider: adapter.key, account: account.name, kind: 'http', status: 429, times: 1 });
      const session = open();

      const tasks = await session.list();

      expect(tasks.map((t) => t.taskId).sort()).toEqual(ownTaskIds().sort());
      // The provider's own throttle answer (NCP and Huawei a 429, DMS a 400 ThrottlingException), once.
      expect(requestsOfAccount().filter((r) => r.fault === 'http')).toHaveLength(1);
      expect(requestsOfAccount().filter((r) => r.fault === undefined && r.status >= 400)).toHaveLength(0);
    });
  });
}

/** Reads the task back every `pollMs` until `done(phase)` or the deadline; returns the last phase seen. */
async function waitForPhase(
  session: ProviderSession,
  taskId: string,
  done: (phase: TaskPhase) => boolean,
  deadlineMs: number,
  pollMs: number,
): Promise<TaskPhase | 'error'> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const read = (await session.get([taskId])).get(taskId);
    const phase = read === undefined || read instanceof ProviderError ? 'error' : read.phase;
    if ((phase !== 'error' && done(phase)) || Date.now() > until) return phase;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * An id in the same format as the provider's real ones (15 digits, a UUID, a title) that none of them is:
 * the last character changed to another of its kind, so format checks pass and lookup fails.
 */
export function unknownIdLike(knownIds: readonly string[]): string {
  const known = new Set(knownIds);
  const template = knownIds[0] ?? 'unknown-task';
  const last = template.at(-1) ?? 'x';
  const alternatives = /\d/.test(last)
    ? '0123456789'
    : /[a-f]/.test(last)
      ? 'abcdef'
      : /[A-F]/.test(last)
        ? 'ABCDEF'
        : 'abcdefghijklmnopqrstuvwxyz';
  for (const char of alternatives) {
    const candidate = `${template.slice(0, -1)}${char}`;
    if (!known.has(candidate)) return candidate;
  }
  return `${template}-unknown`;
}

/** Replaces every string equal to `value`, at any depth: the signing secret key, whatever the provider calls it. */
function replaceValue(record: Record<string, unknown>, value: string, replacement: string): void {
  for (const [key, field] of Object.entries(record)) {
    if (field === value) record[key] = replacement;
    else if (isRecord(field)) replaceValue(field, value, replacement);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
