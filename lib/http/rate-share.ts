/**
 * A provider account's request budget: start at `perSecond` on average, at most `burst` at once, and never above `max`
 * however much the adaptive limiter learns the provider allows (absent: UNCAPPED_RATE).
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
  max?: number;
}

/** The most any account is sent when nothing caps it (the accounts file's own bound on a rate). */
export const UNCAPPED_RATE = 10_000;

/**
 * This process's share of an account's rate limit when `runners` processes may call the same account at once.
 *
 *   perSecond = R ÷ runners
 *   burst     = max(1, ⌊B ÷ runners ÷ 2⌋)
 *
 *   max       = M ÷ runners
 *
 * The runners together never start above R a second, never go above M, nor more than B at once (⌊B ÷ runners⌋ ≥ 1 assumed:
 * with more runners than burst tokens each keeps one, and the provider's throttling answers the rest). Half of the
 * burst share is left unspent on purpose: requests leave our bucket evenly spaced but reach the provider's gateway
 * bunched by network jitter, and a gateway bucket drained to zero by our own opening burst answers that jitter with
 * 429s (each of which holds the whole account for Retry-After). The cost is ⌊B/2⌋ requests' worth of time once.
 */
export function shareOfRateLimit(limit: RateLimit, runners = 1): RateLimit {
  if (!Number.isInteger(runners) || runners < 1) throw new RangeError(`runners must be a whole number ≥ 1, got ${runners}`);
  return {
    perSecond: limit.perSecond / runners,
    burst: Math.max(1, Math.floor(limit.burst / runners / 2)),
    ...(limit.max === undefined ? {} : { max: limit.max / runners }),
  };
}

/**
 * How many processes may call one account of a provider at once on AWS: the provider's work-queue workers (the
 * event source's `maximumConcurrency`) plus one slot for whatever runs in-process at the same time (the incident
 * kill switch executing its first targets, a window or command listing tasks while planning).
 */
export function runnersFor(workerConcurrency: number | undefined): number {
  return workerConcurrency === undefined ? 1 : workerConcurrency + 1;
}
