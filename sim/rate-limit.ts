import type { SimRateLimit } from './types';

/**
 * A per-account token bucket, the simulator's own (the gateway's true limit, not the client's). It lives in the
 * server, so every process calling this simulator for the account draws from the same bucket.
 */
export class SimTokenBucket {
  private tokens: number;
  private updatedAt: number;
  private perSecond: number;
  private burst: number;
  private admitted = 0;

  constructor(
    private readonly limit: SimRateLimit,
    now: number,
  ) {
    this.perSecond = limit.perSecond;
    this.burst = limit.burst;
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  /** The limit in force now, in requests per second (what a provider's 429 body quotes). */
  get currentPerSecond(): number {
    return this.perSecond;
  }

  /** Takes one token if there is one. */
  tryTake(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    this.admitted += 1;
    const drop = this.limit.drop;
    if (drop !== undefined && this.admitted === drop.afterRequests) {
      this.perSecond = drop.perSecond;
      this.burst = drop.burst;
      this.tokens = Math.min(this.tokens, drop.burst);
    }
    return true;
  }
}

export const DEFAULT_RATE_LIMIT: SimRateLimit = { perSecond: 1000, burst: 1000 };
