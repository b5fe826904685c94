import { CubicRate } from './cubic-rate';
import { defaultSleep, type RequestLimiter, TokenBucket } from './rate-limiter';

export interface AdaptiveLimit {
  /** Requests per second to start from (the configured or default rate, this process's share). */
  perSecond: number;
  burst: number;
  /** Never above this many requests per second (`rateLimit.max`, this process's share). */
  ceiling: number;
}

/**
 * An account's limiter that learns the provider's real limit: a token bucket whose rate a CubicRate moves — up while
 * the provider answers, down on each throttle. A Retry-After still holds the whole account (see client.ts).
 */
export class AdaptiveLimiter implements RequestLimiter {
  private readonly bucket: TokenBucket;
  private readonly control: CubicRate;

  constructor(
    limit: AdaptiveLimit,
    private readonly now: () => number = Date.now,
    sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {
    this.control = new CubicRate({ initial: Math.min(limit.perSecond, limit.ceiling), ceiling: limit.ceiling }, now());
    this.bucket = new TokenBucket(Math.min(limit.perSecond, limit.ceiling), limit.burst, now, sleep, () =>
      this.control.rate(this.now()),
    );
  }

  /** The rate the account is sent at now, in requests per second. */
  get perSecond(): number {
    return this.control.rate(this.now());
  }

  take(): Promise<number> {
    return this.bucket.take();
  }

  holdFor(ms: number): void {
    this.bucket.holdFor(ms);
  }

  answered(sentAt: number, throttled: boolean): void {
    if (throttled) this.control.throttled(sentAt, this.now());
    else this.control.succeeded(sentAt, this.now());
  }
}
