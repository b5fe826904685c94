import { type ErrorClass, isRetryableClass, ProviderError } from '../core/errors';
import { defaultSleep, type RequestLimiter } from './rate-limiter';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: URL;
  headers: Record<string, string>;
  /** The exact bytes sent, as a string; signers hash this. */
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Number of attempts it took (1 when the first one succeeded). */
  attempts: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Per-account transport settings, built once by the pipeline and handed to the adapter's session. */
export interface HttpSettings {
  timeoutMs: number;
  retry: RetryPolicy;
  limiter: RequestLimiter;
  sleep?: (ms: number) => Promise<void>;
  /**
   * How long this run may still wait for a provider (until its stopBy), now; default: no limit. A Retry-After is
   * waited for up to MAX_RETRY_AFTER_MS and never past it: a provider asking for longer is not waited for, and the
   * request fails `throttled` (marked `outOfTime` when it is the run's time that is short: hand it on, do not fail).
   */
  timeLeftMs?: () => number;
}

/** The most a Retry-After is waited for: `Retry-After: 86400` must not put an account to sleep for a day. */
export const MAX_RETRY_AFTER_MS = 60_000;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ProviderCall {
  provider: string;
  /** Signs the request (fresh timestamp on every attempt). */
  sign: (request: HttpRequest) => HttpRequest;
  /** Turns a non-2xx answer into the provider's error; the client only knows HTTP. */
  toError: (response: HttpResponse) => ProviderError;
  taskId?: string;
  /**
   * The request asks the provider to do something (pause, resume), not to tell something. Sent twice after a lost
   * response it could act twice, so a request that went out and got no answer is not retried: the error says
   * `maybeApplied`, and the caller reads the task back instead.
   */
  action?: boolean;
}

/**
 * Sends one provider request: waits for the account's rate limit, signs, times out, retries what is retryable
 * with exponential backoff and full jitter (honouring Retry-After), and never retries an auth failure.
 */
export async function sendProviderRequest(
  settings: HttpSettings,
  call: ProviderCall,
  request: HttpRequest,
): Promise<HttpResponse> {
  return withProviderRetries(settings, async (attempt): Promise<Attempt<HttpResponse>> => {
    try {
      const signed = call.sign(request);
      const res = await fetch(signed.url, {
        method: signed.method,
        headers: signed.headers,
        body: signed.body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      const response: HttpResponse = { status: res.status, headers: res.headers, text: await res.text(), attempts: attempt };
      if (res.status < 400) return { ok: true, value: response };
      return {
        ok: false,
        error: call.toError(response),
        ...(res.headers.has('retry-after') ? { holdAccount: true as const } : {}),
      };
    } catch (cause) {
      if (cause instanceof ProviderError) throw cause;
      const error = transportError(call, cause, request.url);
      if (call.action && !neverSent(cause)) {
        throw new ProviderError(`${error.message}; the provider may have carried it out`, {
          ...error.details(),
          attempts: attempt,
          maybeApplied: true,
          cause,
        });
      }
      return { ok: false, error, unanswered: true };
    }
  });
}

/**
 * One attempt at a provider call: its value, or the provider's refusal for the retry policy to weigh. `unanswered`:
 * no answer came (a timeout, a connection that failed), which tells the account's rate nothing.
 */
export type Attempt<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: ProviderError;
      unanswered?: true;
      /** The provider sent a Retry-After: the whole account waits it out, not only this request. */
      holdAccount?: true;
    };

/**
 * The one retry policy of every provider call, whatever carries it (our fetch, or an AWS SDK client with its own
 * retries off): before each attempt waits for the account's rate limit, and tells it of every answer (a `throttled`
 * one cuts the account's learned rate); a provider's own Retry-After holds the whole account (never past the run's
 * time); retries what is retryable with backoff and full jitter, a throttled request waiting at least what its
 * provider asks. An attempt that throws stops at once (an action that may have been applied).
 */
export async function withProviderRetries<T>(
  settings: HttpSettings,
  attemptOnce: (attempt: number) => Promise<Attempt<T>>,
): Promise<T> {
  const sleep = settings.sleep ?? defaultSleep;
  let serverErrorEarlier = false;
  for (let attempt = 1; ; attempt++) {
    const sentAt = await settings.limiter.take();
    const outcome = await attemptOnce(attempt);
    if (outcome.ok) {
      settings.limiter.answered(sentAt, false);
      return outcome.value;
    }
    const { error } = outcome;
    // The one throttling signal: the adapter's classification (429, NCP 400/410/420, Huawei APIG.0308, DMS
    // ThrottlingException, ...).
    if (outcome.unanswered !== true) settings.limiter.answered(sentAt, error.errorClass === 'throttled');
    error.attempts = attempt;
    if (serverErrorEarlier) error.afterServerError = true;
    if ((error.status ?? 0) >= 500) serverErrorEarlier = true;
    if (error.errorClass === 'throttled') {
      const asked = error.retryAfterMs ?? 2_000;
      const timeLeft = Math.max(0, settings.timeLeftMs?.() ?? Number.POSITIVE_INFINITY);
      const allowed = Math.min(MAX_RETRY_AFTER_MS, timeLeft);
      // Only a provider's own Retry-After holds the whole account: without one, cutting the account's rate is the
      // account's answer to a throttle, and only the throttled request waits before its retry.
      if (outcome.holdAccount === true) settings.limiter.holdFor(Math.min(asked, allowed));
      if (asked > allowed) {
        const outOfTime = asked <= MAX_RETRY_AFTER_MS;
        throw new ProviderError(
          outOfTime
            ? `${error.message}; the provider asked to wait ${Math.ceil(asked / 1000)} s, past this run's time`
            : `${error.message}; the provider asked to wait ${Math.ceil(asked / 1000)} s, more than the ${MAX_RETRY_AFTER_MS / 1000} s any run waits`,
          { ...error.details(), attempts: attempt, ...(outOfTime ? { outOfTime: true } : {}) },
        );
      }
    }
    if (!isRetryableClass(error.errorClass) || attempt >= settings.retry.maxAttempts) throw error;
    await sleep(backoffDelay(settings.retry, attempt, error.retryAfterMs));
  }
}

/** Full jitter: a random delay in [0, min(max, base·2^(attempt-1))], never less than what the provider asked. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(retryAfterMs ?? 0, Math.floor(random() * ceiling));
}

function transportError(call: ProviderCall, cause: unknown, url: URL): ProviderError {
  const isTimeout = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  const message = isTimeout
    ? 'request timed out'
    : `connection failed: ${cause instanceof Error ? cause.message : String(cause)}`;
  // A timeout may be a slow provider, not a wrong endpoint: only a failed connection is `unreachable`. The origin
  // only: the path and query may carry task ids and signatures.
  return new ProviderError(message, {
    errorClass: 'retryable',
    provider: call.provider,
    taskId: call.taskId,
    cause,
    ...(isTimeout ? {} : { unreachable: { endpoint: url.origin, code: connectionCode(cause) } }),
  });
}

/**
 * What fetch's "fetch failed" wraps: the socket's error code (ECONNREFUSED, ENOTFOUND, …), else its message (fetch
 * refuses some ports itself: "bad port").
 */
function connectionCode(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof inner?.code === 'string') return inner.code;
  return typeof inner?.message === 'string' ? inner.message.slice(0, 80) : 'no connection';
}

/** A connection that was never made: the request certainly did not reach the provider. */
function neverSent(cause: unknown): boolean {
  const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The class every provider gives a bare HTTP status when its body says nothing more specific. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'invalid-state';
  if (status >= 500) return 'retryable';
  return 'bad-request';
}

/** Parses a JSON body, or returns undefined for an empty or non-JSON one. */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
