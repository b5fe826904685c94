import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_MARGIN_MS, stopByOf } from '../../../lib/aws/deadline';

const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

describe('the deadline of an invocation', () => {
  it('stops starting provider calls a margin before the function times out', () => {
    expect(stopByOf(remaining(300_000), undefined, 1_000)).toBe(1_000 + 300_000 - DEFAULT_DEADLINE_MARGIN_MS);
  });

  it('never spends more than half of a short invocation on the margin', () => {
    expect(stopByOf(remaining(40_000), 60_000, 0)).toBe(20_000);
  });

  it('takes the margin from MP_DEADLINE_MARGIN_MS', () => {
    process.env.MP_DEADLINE_MARGIN_MS = '5000';
    try {
      expect(stopByOf(remaining(300_000), undefined, 0)).toBe(295_000);
    } finally {
      delete process.env.MP_DEADLINE_MARGIN_MS;
    }
  });
});
