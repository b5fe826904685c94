import { describe, expect, it } from 'vitest';
import { CUBIC_BETA, CUBIC_C, CubicRate } from '../../../lib/http/cubic-rate';

/**
 * Drives a controller as an account with more work than its rate: every `stepMs` it sends what its rate allows, and
 * the provider answers at once (`throttle` says whether it throttles the request). Fake clock, no sleeping.
 */
function drive(
  control: CubicRate,
  from: number,
  to: number,
  throttle: (now: number) => boolean = () => false,
  stepMs = 10,
): { sent: number; throttled: number } {
  let owed = 0;
  let sent = 0;
  let throttled = 0;
  for (let now = from; now < to; now += stepMs) {
    owed += (control.rate(now) * stepMs) / 1000;
    while (owed >= 1) {
      owed -= 1;
      sent += 1;
      if (throttle(now)) {
        throttled += 1;
        control.throttled(now, now);
      } else control.succeeded(now, now);
    }
  }
  return { sent, throttled };
}

/** The provider's side: a token bucket that says whether to throttle. */
function providerBucket(perSecond: number, burst: number) {
  let tokens = burst;
  let last = 0;
  return (now: number) => {
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
    last = now;
    if (tokens < 1) return true;
    tokens -= 1;
    return false;
  };
}

describe('the adaptive rate (CUBIC)', () => {
  it('starts from the configured or default rate', () => {
    const control = new CubicRate({ initial: 5, ceiling: 100 }, 0);

    expect(control.rate(0)).toBe(5);
  });

  it('doubles about every second while the provider answers and the account sends at its rate', () => {
    const control = new CubicRate({ initial: 5, ceiling: 100 }, 0);

    drive(control, 0, 2_000);

    // 5 → 20 in 2 s, less the lag of measuring what was sent over the last second.
    expect(control.rate(2_000)).toBeGreaterThanOrEqual(15);
    expect(control.rate(2_000)).toBeLessThanOrEqual(20);
  });

  it('does not talk itself up on an account that sends little: at most twice what it sent over the last second', () => {
    const control = new CubicRate({ initial: 5, ceiling: 100 }, 0);
    for (let now = 0; now < 60_000; now += 1_000) control.succeeded(now, now);

    // One request a second for a minute: the curve alone would say 5 · 2^60.
    expect(control.rate(60_000)).toBe(5);
  });

  it('cuts to 0.7 of the rate a throttle came at', () => {
    // Held at its ceiling for a few seconds: it sends at the rate it is allowed.
    const control = new CubicRate({ initial: 5, ceiling: 12 }, 0);
    drive(control, 0, 5_000);
    const before = control.rate(5_000);

    const cut = control.throttled(5_000, 5_000);

    expect(before).toBe(12);
    expect(cut).toBe(true);
    expect(control.rate(5_000)).toBeCloseTo(before * CUBIC_BETA, 6);
  });

  it('cuts from what it sent when that is less than it was allowed, not to more than it sent', () => {
    const control = new CubicRate({ initial: 5, ceiling: 100 }, 0);
    // 4 requests a second for 10 s: allowed 2 × 4 = 8/s (the cap on the curve), sending 4.
    for (let now = 0; now < 10_000; now += 250) control.succeeded(now, now);
    expect(control.rate(10_000)).toBe(8);

    control.throttled(10_000, 10_000);

    // 0.7 × 4 sent, where 0.7 × 8 allowed would let it send 5.6/s: more than before the throttle.
    expect(control.rate(10_000)).toBeCloseTo(4 * CUBIC_BETA, 6);
  });

  it('does not cut again for a throttle of a request sent before the last cut', () => {
    const control = new CubicRate({ initial: 10, ceiling: 100 }, 0);
    drive(control, 0, 1_000);
    control.throttled(1_000, 1_000);
    const afterCut = control.rate(1_000);

    // Sent at 950 ms (at the old rate), answered after the cut.
    const cutAgain = control.throttled(950, 1_050);

    expect(cutAgain).toBe(false);
    expect(control.rate(1_050)).toBeGreaterThanOrEqual(afterCut);
  });

  it('climbs back to the rate that was throttled after K seconds, stays near it, then probes above it', () => {
    const control = new CubicRate({ initial: 20, ceiling: 100 }, 0);
    // Slow start is allowed 40/s by the end of its first second; what it sent in that second is the rate it cuts from.
    const { sent: wMax } = drive(control, 0, 1_000);
    control.throttled(1_000, 1_000);
    const kMs = Math.cbrt((wMax * (1 - CUBIC_BETA)) / CUBIC_C) * 1000;

    drive(control, 1_000, 1_000 + kMs);
    const atK = control.rate(1_000 + kMs);
    drive(control, 1_000 + kMs, 1_000 + 2 * kMs);
    const afterK = control.rate(1_000 + 2 * kMs);

    expect(atK).toBeCloseTo(wMax, 1);
    expect(afterK).toBeGreaterThan(wMax);
    // The probe is gentle: as far above wMax after another K as it was below it right after the cut.
    expect(afterK - wMax).toBeCloseTo(wMax * (1 - CUBIC_BETA), 1);
  });

  it('never goes above its ceiling (rateLimit.max)', () => {
    const control = new CubicRate({ initial: 5, ceiling: 12 }, 0);

    drive(control, 0, 30_000);

    expect(control.rate(30_000)).toBe(12);
  });

  it('never goes below its floor, however often the provider throttles', () => {
    const control = new CubicRate({ initial: 5, ceiling: 100, floor: 0.5 }, 0);

    for (let now = 0; now < 100_000; now += 100) control.throttled(now, now);

    expect(control.rate(100_000)).toBe(0.5);
  });

  it('settles just under a provider limit it cannot see, with few throttled requests', () => {
    const control = new CubicRate({ initial: 5, ceiling: 10_000 }, 0);
    const provider = providerBucket(2, 2);

    const { sent, throttled } = drive(control, 0, 300_000, provider);

    // 300 s at 2/s: 600 admitted at most; the first few seconds at 5/s cost the start-up throttles.
    expect(sent - throttled).toBeGreaterThan(0.9 * 600);
    expect(throttled / sent).toBeLessThan(0.05);
  });

  it('gives workers that share an account, without talking, about equal shares', () => {
    // One worker starts with 8 of the 10/s the account allows, the other with 1.
    const big = new CubicRate({ initial: 8, ceiling: 10_000 }, 0);
    const small = new CubicRate({ initial: 1, ceiling: 10_000 }, 0);
    const provider = providerBucket(10, 10);
    let owedBig = 0;
    let owedSmall = 0;
    const sentAfter = { big: 0, small: 0 };
    const settleMs = 600_000;
    for (let now = 0; now < settleMs + 120_000; now += 10) {
      owedBig += big.rate(now) / 100;
      owedSmall += small.rate(now) / 100;
      for (const [control, key] of [
        [big, 'big'],
        [small, 'small'],
      ] as const) {
        while ((key === 'big' ? owedBig : owedSmall) >= 1) {
          if (key === 'big') owedBig -= 1;
          else owedSmall -= 1;
          if (provider(now)) control.throttled(now, now);
          else {
            control.succeeded(now, now);
            if (now >= settleMs) sentAfter[key] += 1;
          }
        }
      }
    }

    const share = sentAfter.small / (sentAfter.big + sentAfter.small);
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });
});
