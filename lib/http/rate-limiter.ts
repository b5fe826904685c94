/** What the HTTP client needs of an account's limiter: a turn to send, a hold when the provider asks, and feedback. */
export interface RequestLimiter {
  /** Waits until a request may be sent; resolves with the send time (epoch ms, the limiter's clock). */
  take(): Promise<number>;
  /** The provider said when to come back (Retry-After): send nothing more for `ms`. */
  holdFor(ms: number): void;
  /**
   * The provider answered the request sent at `sentAt`: `throttled` when it said "slow down" (a 429, or a provider's
   * throttling code, as the adapter classified it), false for any other answer. Not called when no answer came.
   */
  answered(sentAt: number, throttled: boolean): void;
}

/**
 * A token bucket: `perSecond` tokens a second, at most `burst` saved up. One bucket per provider account,
 * shared by every call made for that account in this process. With `rateNow` the rate is read again at every refill
 * (the adaptive limiter moves it); without, it is fixed.
 */
export class TokenBucket implements RequestLimiter {
  private tokens: number;
  private last: number;
  private rate: number;
  private blockedUntil = 0;
  private queue: Promise<number> = Promise.resolve(0);

  constructor(
    perSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
    private readonly rateNow?: () => number,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError('rate limit needs perSecond > 0 and burst >= 1');
    this.rate = perSecond;
    this.tokens = burst;
    this.last = now();
  }

  get perSecond(): number {
    return this.rate;
  }

  /** Waits until a request may be sent. Callers are served in arrival order. */
  take(): Promise<number> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => 0);
    return turn;
  }

  /** The provider said "slow down": send nothing more for `ms`, and start again from an empty bucket. */
  holdFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
    this.tokens = 0;
  }

  /** A fixed bucket learns nothing from answers. */
  answered(_sentAt: number, _throttled: boolean): void {}

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.rateNow) this.rate = this.rateNow();
  }

  private async waitForToken(): Promise<number> {
    for (;;) {
      const blocked = this.blockedUntil - this.now();
      if (blocked > 0) {
        await this.sleep(blocked);
        this.last = this.now();
        continue;
      }
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return this.now();
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
