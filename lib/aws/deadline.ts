import type { Context } from 'aws-lambda';

/**
 * How long before its timeout a function stops starting provider calls. It must cover one call already in
 * flight (the HTTP client's timeout × attempts, with backoff: about 50 s at the defaults), recording the outcomes
 * and handing the rest back to the work queue.
 */
export const DEFAULT_DEADLINE_MARGIN_MS = 60_000;

/**
 * The instant (epoch ms) after which this invocation starts no new provider call: its remaining time less the
 * margin (`MP_DEADLINE_MARGIN_MS`), but never more than half the remaining time, so a short invocation still works.
 */
export function stopByOf(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  marginMs = marginFromEnv(process.env.MP_DEADLINE_MARGIN_MS),
  now = Date.now(),
): number {
  const remaining = context.getRemainingTimeInMillis();
  return now + remaining - Math.min(marginMs, remaining / 2);
}

function marginFromEnv(value: string | undefined): number {
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : DEFAULT_DEADLINE_MARGIN_MS;
}

/**
 * The time limits of one invocation: when it stops starting provider calls (stopBy), and when its time is up
 * (deadline), past which no lease or claim of its may last.
 */
export function timeLimitsOf(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  now = Date.now(),
): { stopBy: number; deadline: number } {
  return { stopBy: stopByOf(context, undefined, now), deadline: now + context.getRemainingTimeInMillis() };
}
