import { describe, expect, it } from 'vitest';
import { type ErrorClass, InvariantError, ProviderError } from '../../../lib/core/errors';
import { callWithIsolation, isolateFailures } from '../../../lib/providers/bisect';
import type { ActionResult } from '../../../lib/providers/types';

function aProviderError(errorClass: ErrorClass, message = errorClass): ProviderError {
  return new ProviderError(message, { errorClass, provider: 'huawei-drs', status: 400, providerCode: 'DRS.X' });
}

/** A batch call that refuses any batch containing a bad id as a whole, and records every batch it saw. */
function aFakeBatchCall(
  bad: ReadonlySet<string>,
  error: (batch: readonly string[]) => ProviderError = () => aProviderError('bad-request'),
) {
  const batches: string[][] = [];
  const call = async (batch: readonly string[]): Promise<ActionResult[]> => {
    batches.push([...batch]);
    if (batch.some((id) => bad.has(id))) throw error(batch);
    return batch.map((taskId) => ({ taskId, ok: true }));
  };
  return { call, batches };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `job-${i + 1}`);
const identity = (id: string) => id;

describe('callWithIsolation', () => {
  it('sends a clean batch once', async () => {
    // Prepare
    const { call, batches } = aFakeBatchCall(new Set());

    // Act
    const results = await callWithIsolation(ids(5), identity, call);

    // Assess
    expect(results.every((r) => r.ok)).toBe(true);
    expect(batches).toEqual([ids(5)]);
  });

  it('isolates one bad item in a batch of 8 with seven calls', async () => {
    // Prepare
    const { call, batches } = aFakeBatchCall(new Set(['job-6']));

    // Act
    const results = await callWithIsolation(ids(8), identity, call);

    // Assess
    expect(results.map((r) => r.taskId)).toEqual(ids(8));
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    const failed = results.find((r) => !r.ok);
    expect(failed).toMatchObject({ taskId: 'job-6', ok: false, error: { errorClass: 'bad-request', taskId: 'job-6' } });
    // Depth first: 1–8 ✗, 1–4 ✓, 5–8 ✗, 5–6 ✗, 5 ✓, 6 ✗, 7–8 ✓.
    expect(batches).toHaveLength(7);
    expect(batches.map((b) => b.length)).toEqual([8, 4, 4, 2, 1, 1, 2]);
  });

  it('isolates two bad items in different halves', async () => {
    const { call } = aFakeBatchCall(new Set(['job-1', 'job-8']));

    const results = await callWithIsolation(ids(8), identity, call);

    expect(results.filter((r) => !r.ok).map((r) => r.taskId)).toEqual(['job-1', 'job-8']);
  });

  it.each<ErrorClass>(['not-found', 'invalid-state'])('also splits a batch refused as %s', async (errorClass) => {
    const { call } = aFakeBatchCall(new Set(['job-3']), () => aProviderError(errorClass));

    const results = await callWithIsolation(ids(4), identity, call);

    expect(results.filter((r) => !r.ok)).toEqual([
      expect.objectContaining({ taskId: 'job-3', error: expect.objectContaining({ errorClass }) }),
    ]);
  });

  it('gives a single refused item the error itself', async () => {
    const { call, batches } = aFakeBatchCall(new Set(['job-1']));

    const results = await callWithIsolation(['job-1'], identity, call);

    expect(results).toEqual([expect.objectContaining({ taskId: 'job-1', ok: false })]);
    expect(batches).toHaveLength(1);
  });

  it.each<ErrorClass>(['auth', 'throttled', 'retryable', 'provider-error'])(
    'fails the whole batch on %s without splitting',
    async (errorClass) => {
      // Prepare
      const { call, batches } = aFakeBatchCall(new Set(ids(8)), () => aProviderError(errorClass));

      // Act
      const results = await callWithIsolation(ids(8), identity, call);

      // Assess
      expect(batches).toHaveLength(1);
      expect(results).toHaveLength(8);
      for (const [i, result] of results.entries()) {
        expect(result).toMatchObject({ taskId: `job-${i + 1}`, ok: false, error: { errorClass, taskId: `job-${i + 1}` } });
      }
    },
  );

  it('stops sending once an auth failure follows a split, keeping what already succeeded', async () => {
    // Prepare: the first batch is refused for its content, the second half then meets an expired key.
    const batches: string[][] = [];
    const call = async (batch: readonly string[]): Promise<ActionResult[]> => {
      batches.push([...batch]);
      if (batches.length === 1) throw aProviderError('bad-request');
      if (batch.includes('job-3')) throw aProviderError('auth');
      return batch.map((taskId) => ({ taskId, ok: true }));
    };

    // Act
    const results = await callWithIsolation(ids(8), identity, call);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([8, 4]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.errorClass))).toEqual(Array(8).fill('auth'));
  });

  it('keeps results of halves settled before a later auth failure', async () => {
    const batches: string[][] = [];
    const call = async (batch: readonly string[]): Promise<ActionResult[]> => {
      batches.push([...batch]);
      if (batches.length === 1) throw aProviderError('bad-request');
      if (batch.includes('job-5')) throw aProviderError('auth');
      return batch.map((taskId) => ({ taskId, ok: true }));
    };

    const results = await callWithIsolation(ids(8), identity, call);

    expect(results.map((r) => (r.ok ? 'ok' : r.error.errorClass))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'auth',
      'auth',
      'auth',
      'auth',
    ]);
  });

  it('sends the later batches after one whose answer was lost, and marks only that one as maybe carried out', async () => {
    // Prepare: batches of 2; the second batch's connection drops after it was sent
    const lost = new ProviderError('connection failed; the provider may have carried it out', {
      errorClass: 'retryable',
      provider: 'huawei-drs',
      maybeApplied: true,
    });
    const { call, batches } = aFakeBatchCall(new Set(['job-3']), () => lost);
    // Act
    const results = await callWithIsolation(ids(6), identity, call, { batchLimit: 2 });
    // Assess
    expect(batches).toEqual([
      ['job-1', 'job-2'],
      ['job-3', 'job-4'],
      ['job-5', 'job-6'],
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.maybeApplied ? 'maybe' : 'failed'))).toEqual([
      'ok',
      'ok',
      'maybe',
      'maybe',
      'ok',
      'ok',
    ]);
  });

  it('orders results like the items, whatever order the call answers in', async () => {
    const results = await callWithIsolation(ids(3), identity, async (batch) =>
      [...batch].reverse().map((taskId) => ({ taskId, ok: true as const })),
    );

    expect(results.map((r) => r.taskId)).toEqual(ids(3));
  });

  it('treats a call that forgets an item as a bug', async () => {
    await expect(callWithIsolation(ids(2), identity, async () => [{ taskId: 'job-1', ok: true }])).rejects.toBeInstanceOf(
      InvariantError,
    );
  });

  it('rethrows anything that is not a ProviderError', async () => {
    await expect(
      callWithIsolation(ids(2), identity, async () => {
        throw new TypeError('bug');
      }),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it('returns nothing and calls nothing for no items', async () => {
    const { call, batches } = aFakeBatchCall(new Set());

    expect(await callWithIsolation([], identity, call)).toEqual([]);
    expect(batches).toHaveLength(0);
  });
});

describe('isolateFailures', () => {
  it('cuts items into chunks of the batch limit, sent in order', async () => {
    const batches: number[][] = [];

    const results = await isolateFailures(
      [1, 2, 3, 4, 5],
      async (batch) => {
        batches.push([...batch]);
        return [...batch];
      },
      () => 0,
      { batchLimit: 2 },
    );

    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('leaves later chunks unsent after a fatal error', async () => {
    const batches: number[][] = [];

    const results = await isolateFailures(
      [1, 2, 3, 4, 5],
      async (batch) => {
        batches.push([...batch]);
        throw aProviderError('auth');
      },
      (n, error) => `${n} ${error.errorClass}`,
      { batchLimit: 2 },
    );

    expect(batches).toEqual([[1, 2]]);
    expect(results).toEqual(['1 auth', '2 auth', '3 auth', '4 auth', '5 auth']);
  });

  it('lets the caller choose what counts as a batch rejection', async () => {
    const batches: number[] = [];
    const results = await isolateFailures(
      [1, 2, 3, 4],
      async (batch) => {
        batches.push(batch.length);
        if (batch.includes(2)) throw aProviderError('provider-error');
        return batch.map((n) => `ok ${n}`);
      },
      (n, error) => `failed ${n}: ${error.errorClass}`,
      { isBatchRejection: () => true },
    );

    expect(results).toEqual(['ok 1', 'failed 2: provider-error', 'ok 3', 'ok 4']);
    expect(batches).toEqual([4, 2, 1, 1, 2]);
  });
});
