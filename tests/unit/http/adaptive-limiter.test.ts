import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../../lib/http/adaptive-limiter';
import { CUBIC_BETA } from '../../../lib/http/cubic-rate';

/** A limiter on a fake clock: sleeping moves the clock, nothing waits. */
function onFakeClock(limit: { perSecond: number; burst: number; ceiling: number }) {
  const clock = { now: 0 };
  const limiter = new AdaptiveLimiter(
    limit,
    () => clock.now,
    async (ms) => {
      clock.now += ms;
    },
  );
  /** Takes `n` turns, each answered at once as `throttled` says; returns the gaps between turns (ms). */
  const send = async (n: number, throttled: (i: number) => boolean = () => false) => {
    const at: number[] = [];
    for (let i = 0; i < n; i++) {
      const sentAt = await limiter.take();
      at.push(sentAt);
      limiter.answered(sentAt, throttled(i));
    }
    return at.slice(1).map((t, i) => t - (at[i] ?? 0));
  };
  return { limiter, clock, send };
}

describe('the adaptive limiter', () => {
  it('paces the account at the start rate, then faster while the provider answers', async () => {
    const { send } = onFakeClock({ perSecond: 5, burst: 1, ceiling: 1_000 });

    const first = await send(3);
    const later = await send(30);

    expect(first).toEqual([200, 200]);
    // Slow start: in about two seconds of answers, twice as fast or more.
    expect(Math.max(...later.slice(-5))).toBeLessThan(100);
  });

  it('spaces requests further apart after a throttle', async () => {
    const { send, limiter, clock } = onFakeClock({ perSecond: 10, burst: 1, ceiling: 10 });
    await send(10);
    const before = limiter.perSecond;

    await send(1, () => true);

    expect(limiter.perSecond).toBeCloseTo(before * CUBIC_BETA, 6);
    const gaps = await send(3);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(Math.floor(1000 / (before * CUBIC_BETA)) - 1);
    expect(clock.now).toBeGreaterThan(0);
  });

  it('never sends faster than its ceiling (rateLimit.max), however long the provider keeps answering', async () => {
    const { send, limiter } = onFakeClock({ perSecond: 5, burst: 1, ceiling: 8 });

    const gaps = await send(200);

    expect(limiter.perSecond).toBe(8);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(124);
  });
});
