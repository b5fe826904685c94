import * as z from 'zod/mini';
import { type ErrorClass, ProviderError } from '../../core/errors';
import { redactText } from '../../core/redaction';
import { type HttpResponse, parseJson, retryAfterMs } from '../../http/client';
import '../../core/zod-messages';

export const NCP_PROVIDER = 'ncp-object-migration';

/** `{"error": {"errorCode": "210", "message": "Permission Denied"}}`; errorCode may be a string or a number. */
const ncpErrorBodySchema = z.object({
  error: z.object({
    errorCode: z.pipe(z.union([z.string(), z.number()]), z.transform(String)),
    message: z.optional(z.string()),
  }),
});

export type NcpErrorBody = z.output<typeof ncpErrorBodySchema>['error'];

/**
 * NCP API Gateway codes (providers.md §1), each documented with one HTTP status:
 * 401 200/210, 404 300, 429 400/410/420, 503 500, 504 510, 500 900, 400 100.
 */
const NCP_CODES: Readonly<Record<string, ErrorClass>> = {
  '100': 'bad-request', // Bad Request Exception. The simulator also uses it for a pause on a job that is not STARTED;
  // nothing documented tells that apart from a malformed call, so it stays bad-request.
  '200': 'auth', // Authentication Failed
  '210': 'auth', // Permission Denied
  '300': 'not-found',
  '400': 'throttled', // quota exceeded
  '410': 'throttled', // throttle limited
  '420': 'throttled', // rate limited
  '500': 'retryable', // endpoint error (503)
  '510': 'retryable', // endpoint timeout (504)
  '900': 'retryable', // unexpected error (500)
};

export function parseNcpErrorBody(json: unknown): NcpErrorBody | undefined {
  const parsed = ncpErrorBodySchema.safeParse(json);
  return parsed.success ? parsed.data.error : undefined;
}

/**
 * A documented code decides. Without one (an HTML page from a proxy, an undocumented code) the status decides
 * where its meaning is beyond doubt — an auth failure must never be retried, a 5xx always may be — and
 * anything else is the provider's own error.
 */
export function classifyNcpError(status: number, code: string | undefined): ErrorClass {
  if (code !== undefined && Object.hasOwn(NCP_CODES, code)) {
    const byCode = NCP_CODES[code];
    if (byCode) return byCode;
  }
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'throttled';
  if (status === 404) return 'not-found';
  if (status >= 500) return 'retryable';
  return 'provider-error';
}

export interface NcpErrorContext {
  taskId?: string;
  /** Removes credential values from provider text before it becomes part of a message. */
  redact?: (text: string) => string;
}

/** Turns a non-2xx NCP answer into a ProviderError carrying the NCP code; never a credential. */
export function ncpErrorFromResponse(response: HttpResponse, context: NcpErrorContext = {}): ProviderError {
  const body = parseNcpErrorBody(parseJson(response.text));
  const errorClass = classifyNcpError(response.status, body?.errorCode);
  const redact = context.redact ?? ((text: string) => text);
  // Redacted before it is cut: a credential cut in two at the limit would no longer be recognised.
  const detail = body?.message ? `: ${truncate(redactText(redact(body.message)), 300)}` : '';
  const code = body ? ` ${body.errorCode}` : '';
  const wait = errorClass === 'throttled' ? retryAfterMs(response.headers) : undefined;
  return new ProviderError(`${NCP_PROVIDER} HTTP ${response.status}${code}${detail}`, {
    errorClass,
    provider: NCP_PROVIDER,
    status: response.status,
    providerCode: body?.errorCode,
    taskId: context.taskId,
    retryAfterMs: wait,
    attempts: response.attempts,
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
