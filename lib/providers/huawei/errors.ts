import * as z from 'zod/mini';
import { type ErrorClass, ProviderError } from '../../core/errors';
import { redactText } from '../../core/redaction';
import { type HttpResponse, parseJson, retryAfterMs } from '../../http/client';
import '../../core/zod-messages';

/**
 * Huawei's error body: `{ error_code, error_msg, request_id }` from services and the API gateway,
 * `{ error_msg, error_code, error_ext_msg }` from DCS. Anything else (a nested `{ error: { ... } }`, HTML from a
 * proxy) is not a Huawei error body and is classified by HTTP status alone.
 */
const huaweiErrorBodySchema = z.object({
  error_code: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
  error_msg: z.nullish(z.string()),
  error_ext_msg: z.nullish(z.string()),
});

export type HuaweiErrorBody = z.output<typeof huaweiErrorBodySchema>;

/** A service's own codes (OMS.1009, DCS.4133, DRS.xxxx) → class; undefined falls through to the common mapping. */
export type ClassifyCode = (code: string, status: number) => ErrorClass | undefined;

/** The gateway says "slow down" without a Retry-After most of the time; providers.md asks for 2–5 s. */
export const DEFAULT_THROTTLE_WAIT_MS = 2_000;

/** Codes the API gateway (APIG) uses the same way in front of every Huawei service. */
const GATEWAY_CODES: Readonly<Record<string, ErrorClass>> = {
  // Bad signature, expired date or token. Five in a row lock the key for five minutes: never retried.
  'APIG.0301': 'auth',
  // "policy user over ratelimit"
  'APIG.0308': 'throttled',
};

export function parseHuaweiErrorBody(json: unknown): HuaweiErrorBody | undefined {
  const parsed = huaweiErrorBodySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** The class of a Huawei answer: the service's own codes first, then the gateway's, then the HTTP status. */
export function classifyHuaweiError(status: number, code: string | undefined, classifyCode?: ClassifyCode): ErrorClass {
  if (code !== undefined) {
    const byService = classifyCode?.(code, status);
    if (byService) return byService;
    const byGateway = GATEWAY_CODES[code];
    if (byGateway) return byGateway;
  }
  return classifyHuaweiStatus(status);
}

export function classifyHuaweiStatus(status: number): ErrorClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'throttled';
  if (status === 404) return 'not-found';
  if (status === 409) return 'invalid-state';
  if (status >= 500) return 'retryable';
  if (status >= 400) return 'bad-request';
  return 'provider-error';
}

export interface HuaweiErrorContext {
  provider: string;
  taskId?: string;
  classifyCode?: ClassifyCode;
  /** Removes credential values from provider-supplied text before it becomes part of a message. */
  redact?: (text: string) => string;
}

/** Turns a non-2xx Huawei answer into a ProviderError carrying the provider code; never a credential. */
export function huaweiErrorFromResponse(response: HttpResponse, context: HuaweiErrorContext): ProviderError {
  const body = parseHuaweiErrorBody(parseJson(response.text));
  const errorClass = classifyHuaweiError(response.status, body?.error_code, context.classifyCode);
  const detail = body?.error_msg ?? body?.error_ext_msg;
  // Redacted before it is cut: a credential cut in two at the limit would no longer be recognised.
  const text = detail ? `: ${truncate(redactText((context.redact ?? identity)(detail)), 300)}` : '';
  const code = body ? ` ${body.error_code}` : '';
  return new ProviderError(`${context.provider} HTTP ${response.status}${code}${text}`, {
    errorClass,
    provider: context.provider,
    status: response.status,
    providerCode: body?.error_code,
    taskId: context.taskId,
    retryAfterMs: errorClass === 'throttled' ? (retryAfterMs(response.headers) ?? DEFAULT_THROTTLE_WAIT_MS) : undefined,
    attempts: response.attempts,
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function identity(text: string): string {
  return text;
}
