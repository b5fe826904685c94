import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyStatus, retryAfterMs } from '../../../lib/http/client';
import { TokenBucket } from '../../../lib/http/rate-limiter';

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('draws from a window that doubles per attempt and is capped', () => {
    expect(backoffDelay(policy, 1, undefined, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 3, undefined, () => 0.999)).toBe(399);
    expect(backoffDelay(policy, 9, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 3, undefined, () => 0)).toBe(0);
  });

  it('never waits less than the provider asked for', () => {
    expect(backoffDelay(policy, 1, 2_000, () => 0.5)).toBe(2_000);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3_000);
    const now = Date.parse('2026-11-28T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sat, 28 Nov 2026 00:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  it.each([
    [429, 'throttled'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [409, 'invalid-state'],
    [400, 'bad-request'],
    [500, 'retryable'],
    [503, 'retryable'],
  ] as const)('maps HTTP %i to %s', (status, errorClass) => {
    expect(classifyStatus(status)).toBe(errorClass);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      10,
      2,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );

    for (let i = 0; i < 4; i++) await bucket.take();

    expect(waits).toEqual([100, 100]);
    expect(now).toBe(200);
  });

  it('sends nothing while held after a 429', async () => {
    let now = 0;
    const bucket = new TokenBucket(
      100,
      100,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    bucket.holdFor(2_000);

    await bucket.take();

    expect(now).toBeGreaterThanOrEqual(2_000);
  });
});
