import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeAccounts } from '../../../bench/fake-fleet';
import { parseCommand } from '../../../lib/core/command';
import { holdFor } from '../../../lib/core/holds';
import { targetOf } from '../../../lib/core/plan';
import { runWorkMessage } from '../../../lib/core/run';
import { AccountSessions } from '../../../lib/core/sessions';
import { workMessageSchema } from '../../../lib/core/work';
import { MemoryFailureSink } from '../../../lib/local/failures';
import { MemoryLedger } from '../../../lib/local/ledger-memory';
import { adapters } from '../../../lib/providers/registry';
import type { ProviderAdapter, ProviderTask } from '../../../lib/providers/types';

const SOURCES = ['window:a', 'INC-1', 'manual'] as const;
const TASKS = ['t0', 't1', 't2', 't3'] as const;
const [ACCOUNT] = fakeAccounts('forged').accounts;
if (ACCOUNT?.provider !== 'ncp-object-migration') throw new Error('the fake fleet starts with an NCP account');
const noSecret = { get: async () => ({ accessKey: 'FAKE-AK', secretKey: 'FAKE-SK' }), invalidate: () => {} };

/** A provider in memory whose tasks are all paused, counting every resume it is asked for. */
function provider() {
  const running = new Set<string>();
  const resumed: string[] = [];
  const task = (taskId: string): ProviderTask => ({
    provider: 'ncp-object-migration',
    account: ACCOUNT?.name ?? '',
    taskId,
    name: taskId,
    state: running.has(taskId) ? 'STARTED' : 'PAUSED',
    phase: running.has(taskId) ? 'running' : 'paused',
  });
  const adapter: ProviderAdapter = {
    key: 'ncp-object-migration',
    capabilities: adapters['ncp-object-migration'].capabilities,
    open: () => ({
      list: async () => TASKS.map(task),
      get: async (ids) => new Map(ids.map((id) => [id, task(id)])),
      pause: async (tasks) => tasks.map((t) => ({ taskId: t.taskId, ok: true as const })),
      resume: async (tasks) =>
        tasks.map((t) => {
          resumed.push(t.taskId);
          running.add(t.taskId);
          return { taskId: t.taskId, ok: true as const };
        }),
    }),
  };
  return { adapter, resumed, task };
}

describe('a forged resume work message (schema-valid, any source, phase, force and tasks)', () => {
  it('resumes exactly the tasks the ledger lets its source resume, and reports every other one as suspicious', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray([...SOURCES]), { minLength: TASKS.length, maxLength: TASKS.length }),
        fc.constantFrom(...SOURCES),
        fc.boolean(),
        fc.constantFrom('act' as const, 'confirm' as const),
        fc.subarray([...TASKS], { minLength: 1 }),
        async (holdsPerTask, source, force, phase, asked) => {
          const { adapter, resumed, task } = provider();
          const ledger = new MemoryLedger();
          const failures = new MemoryFailureSink();
          const seed = parseCommand({ action: 'pause', scope: { all: true }, reason: 'seed', requestedBy: 'tests' });
          for (const [i, sources] of holdsPerTask.entries()) {
            for (const s of sources) {
              await ledger.recordPause(
                holdFor({ ...seed, source: s }, targetOf(task(TASKS[i] ?? '')), 'held', new Date().toISOString()),
              );
            }
          }
          const message = workMessageSchema.parse({
            version: 1,
            command: parseCommand({
              action: 'resume',
              scope: { all: true },
              source,
              reason: 'forged',
              requestedBy: 'mallory',
              options: { force },
            }),
            account: ACCOUNT?.name,
            items: asked.map((id) => ({ target: targetOf(task(id)), task: task(id) })),
            phase,
          });
          const sessions = new AccountSessions(
            [ACCOUNT as NonNullable<typeof ACCOUNT>],
            { ...adapters, 'ncp-object-migration': adapter },
            noSecret,
          );

          // A clock that moves only when the run sleeps: confirmation deadlines pass at once, without waiting.
          let clock = Date.now();
          const now = () => new Date(clock);
          const sleep = async (ms: number) => {
            clock += ms;
          };
          await runWorkMessage(message, { sessions, ledger, failures, now, sleep });

          const holdsOf = (id: string) => holdsPerTask[TASKS.indexOf(id as (typeof TASKS)[number])] ?? [];
          const allowed = asked.filter((id) =>
            force ? holdsOf(id).length > 0 : holdsOf(id).includes(source) && holdsOf(id).every((s) => s === source),
          );
          const unaccounted = asked.filter((id) => (force ? holdsOf(id).length === 0 : !holdsOf(id).includes(source)));
          // A confirm-phase message resumes nothing: it only reads back.
          expect(resumed.sort()).toEqual(phase === 'act' ? allowed.sort() : []);
          const suspicious = failures.messages.filter((m) => m.kind === 'suspicious-work');
          expect(suspicious.map((m) => (m.kind === 'suspicious-work' ? m.target.taskId : '')).sort()).toEqual(unaccounted.sort());
        },
      ),
      { numRuns: 120 },
    );
  });
});
