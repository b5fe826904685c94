/**
 * The request rate an account may use now, learned from how the provider answers: CUBIC, as in the AWS SDK's
 * adaptive retry mode (and TCP CUBIC, RFC 9438), on requests per second instead of a congestion window.
 *
 * Why CUBIC and not plain AIMD: the additive step of AIMD must be one number for every worker of an account (that is
 * what makes AIMD fair), but the limits it must find run from 2/s to hundreds — a step that climbs back from a cut
 * in seconds at 20/s probes a 2/s limit several times a second and turns the run into a 429 storm. CUBIC's curve is
 * scaled by the rate at the last throttle: after a cut it climbs back fast, flattens out just under the rate that was
 * throttled (so probes, and the 429s they cost, are rare: one per cycle of ~K + a few seconds, K below), then probes
 * above it, faster the longer nothing is throttled. Fairness without talking: workers that share an account are cut
 * by the same provider bucket, and over each cycle a worker that was cut from a lower rate gains C·(T−K)³ against its
 * rivals' smaller gains (a smaller rate has a smaller K), so the shares converge.
 *
 *   before the first throttle   rate = initial · 2^(t/1 s)            (slow start: 5/s reaches 20/s in 2 s)
 *   on a throttle               wMax = rate sent, rate = β·wMax        (β = 0.7; wMax·(1+β)/2 when below the last wMax)
 *   after it                    rate = C·(t − K)³ + wMax,  K = ∛(wMax·(1−β)/C)
 *
 * and always: floor ≤ rate ≤ ceiling (the account's `rateLimit.max`), and rate ≤ max(initial, 2 × the most the account
 * actually sent in one second of the last few) — an account with little to send does not talk itself into a rate it
 * never tried (the AWS SDK's cap), which would be a burst at the provider the moment work arrives. The most of a few
 * seconds, not the last second alone: a pause run sends in waves (a chunk's call, its confirm interval, its
 * read-back), and a lull between waves must not drop the rate back to where it started.
 *
 * The rate sent at a throttle is the lower of the rate allowed and that busiest second (the AWS SDK cuts from
 * min(measured rate, fill rate) too). The allowed rate alone can be twice what was sent — slow start's cap is 2 × the
 * busiest second — and 0.7 of it is then 1.4 × what was sent: a cut that lets the account send more, so the next
 * requests are throttled too and the cuts cascade (bench p1adaptive's four workers leaving slow start on 20/s
 * accounts: mostly 3–5 cuts each within 2 s, ending anywhere from 0.23 to 0.67 of what each had sent: unequal shares
 * that CUBIC's slow cycles have not evened out by the end of the run).
 *
 * Pure: every decision takes `now` (epoch ms) and nothing here sleeps.
 */
export interface CubicRateOptions {
  /** Requests per second to start from: the configured or default rate (this process's share). */
  initial: number;
  /** Never above this (the account's `rateLimit.max`, this process's share). */
  ceiling: number;
  /** Never below this, however often the provider throttles; default 0.1/s (a request every 10 s). */
  floor?: number;
}

/** The cut: 0.7 of the rate that was throttled (the AWS SDK's and RFC 9438's β). */
export const CUBIC_BETA = 0.7;
/**
 * How fast the curve bends, in (requests/s) per s³. RFC 9438 uses 0.4 on packets and the AWS SDK 0.4 on requests;
 * that probes a 2/s limit every ~5 s, and one or two 429s per probe is then ~10% of the calls. 0.0002 stretches the
 * cycle (K) to ~15 s at 2/s and ~31 s at 20/s: ~3% of the calls throttled at 2/s, ~0.5% at 20/s (a model of a
 * provider bucket in tests/unit/http/cubic-rate.test.ts; measured end to end by bench `p1adaptive`).
 */
export const CUBIC_C = 0.0002;
/** Slow start doubles the rate every second until the first throttle. */
export const SLOW_START_DOUBLING_MS = 1_000;
/** The send rate is the most requests sent in one whole second among the last MEASURE_SECONDS (and this one). */
export const MEASURE_SECONDS = 5;

export class CubicRate {
  private readonly floor: number;
  private readonly ceiling: number;
  /** Epoch ms of the last cut, or of the start while still in slow start. */
  private since: number;
  private throttledOnce = false;
  private wMax: number;
  private k = 0;
  /** Answered requests (throttled or not) per second they were sent in (epoch second → count), the last few. */
  private readonly sends = new Map<number, number>();

  constructor(
    private readonly options: CubicRateOptions,
    now: number,
  ) {
    if (!(options.initial > 0) || !(options.ceiling > 0))
      throw new RangeError('an adaptive rate needs initial > 0 and ceiling > 0');
    this.floor = Math.min(options.floor ?? 0.1, options.initial, options.ceiling);
    this.ceiling = options.ceiling;
    this.since = now;
    this.wMax = options.initial;
  }

  /** The rate to send at now, in requests per second. */
  rate(now: number): number {
    const t = Math.max(0, now - this.since) / 1000;
    const curve = this.throttledOnce
      ? CUBIC_C * (t - this.k) ** 3 + this.wMax
      : this.options.initial * 2 ** ((t * 1000) / SLOW_START_DOUBLING_MS);
    const sent = this.measured(now);
    const demandCap = Math.max(this.options.initial, 2 * sent);
    return Math.max(this.floor, Math.min(this.ceiling, demandCap, curve));
  }

  /** The provider answered a request sent at `sentAt` without throttling it. */
  succeeded(sentAt: number, now: number): void {
    this.record(sentAt, now);
  }

  /**
   * The provider throttled a request sent at `sentAt`: cut. A throttle of a request sent before the last cut says
   * nothing about the rate since then (it was sent at the old one), so it does not cut again; returns whether it cut.
   */
  throttled(sentAt: number, now: number): boolean {
    this.record(sentAt, now);
    if (this.throttledOnce && sentAt < this.since) return false;
    const current = Math.min(this.rate(now), this.measured(now));
    // Fast convergence (RFC 9438 §4.7): throttled below the last peak, the limit is lower than that peak (or another
    // worker took a share of it): aim the plateau lower too, and hand that share over sooner.
    this.wMax = this.throttledOnce && current < this.wMax ? (current * (1 + CUBIC_BETA)) / 2 : current;
    this.k = Math.cbrt((this.wMax - current * CUBIC_BETA) / CUBIC_C);
    this.throttledOnce = true;
    this.since = now;
    return true;
  }

  /** The most requests sent (and answered) in one second, over the last MEASURE_SECONDS. */
  private measured(now: number): number {
    this.forget(now);
    return Math.max(0, ...this.sends.values());
  }

  private record(sentAt: number, now: number): void {
    const second = Math.floor(sentAt / 1000);
    this.sends.set(second, (this.sends.get(second) ?? 0) + 1);
    this.forget(now);
  }

  private forget(now: number): void {
    const oldest = Math.floor(now / 1000) - MEASURE_SECONDS;
    for (const second of this.sends.keys()) if (second < oldest) this.sends.delete(second);
  }
}
