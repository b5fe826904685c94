import { type ErrorClass, ProviderError } from '../../core/errors';
import { redactText } from '../../core/redaction';

export const DMS_PROVIDER = 'aws-dms';

/**
 * DMS (and STS) error names → class. DMS names its faults `…Fault` (InvalidResourceStateFault,
 * ResourceNotFoundFault, AccessDeniedFault); the AWS JSON and query protocols add the common ones
 * (ThrottlingException, AccessDeniedException, UnrecognizedClientException …).
 */
const DMS_ERRORS: Readonly<Record<string, ErrorClass>> = {
  InvalidResourceStateFault: 'invalid-state',
  ResourceNotFoundFault: 'not-found',
  // Throttling, as the SDK itself recognises it.
  ThrottlingException: 'throttled',
  Throttling: 'throttled',
  ThrottledException: 'throttled',
  TooManyRequestsException: 'throttled',
  RequestLimitExceeded: 'throttled',
  RequestThrottled: 'throttled',
  RequestThrottledException: 'throttled',
  // Our identity or its permissions: a retry cannot help.
  AccessDeniedFault: 'auth',
  AccessDeniedException: 'auth',
  AccessDenied: 'auth',
  UnrecognizedClientException: 'auth',
  InvalidClientTokenId: 'auth',
  SignatureDoesNotMatch: 'auth',
  InvalidSignatureException: 'auth',
  IncompleteSignature: 'auth',
  MissingAuthenticationToken: 'auth',
  ExpiredToken: 'auth',
  ExpiredTokenException: 'auth',
  RegionDisabledException: 'auth',
  // A call we made wrong.
  InvalidParameterValueException: 'bad-request',
  InvalidParameterCombinationException: 'bad-request',
  ValidationException: 'bad-request',
  ValidationError: 'bad-request',
  MalformedPolicyDocument: 'bad-request',
  // AWS's own trouble.
  InternalFailure: 'retryable',
  InternalFailureException: 'retryable',
  ServiceUnavailable: 'retryable',
  ServiceUnavailableException: 'retryable',
};

/** The class of an AWS error name, or, without a known name, of its HTTP status. */
export function classifyDmsError(name: string | undefined, status: number | undefined): ErrorClass {
  if (name !== undefined && Object.hasOwn(DMS_ERRORS, name)) return DMS_ERRORS[name] ?? 'provider-error';
  if (status === 429) return 'throttled';
  if (status !== undefined && status >= 500) return 'retryable';
  // KMSKeyNotAccessibleFault, ResourceQuotaExceededFault …: the service's own refusal, for a person to read.
  return 'provider-error';
}

interface AwsErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export interface DmsErrorContext {
  taskId?: string;
  /** Pause or resume: a request that went out and got no answer may have been carried out. */
  action?: boolean;
}

/**
 * What an AWS SDK call threw, as a ProviderError: an AWS answer by its error name, a transport failure as retryable
 * (or `maybeApplied` for an action that may have reached DMS). A ProviderError (our STS call's) passes unchanged;
 * anything that is not an Error is a bug and is thrown on.
 */
export function dmsErrorFrom(error: unknown, context: DmsErrorContext = {}): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!(error instanceof Error)) throw error;
  const shape = error as AwsErrorShape;
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const message = truncate(redactText(typeof shape.message === 'string' ? shape.message : ''), 300);
  if (status === undefined) {
    // No HTTP answer: the request timed out or the connection failed.
    const neverSent = isNeverSent(shape);
    const maybeApplied = context.action === true && !neverSent;
    return new ProviderError(
      `${DMS_PROVIDER} ${error.name}: ${message}${maybeApplied ? '; the provider may have carried it out' : ''}`,
      {
        errorClass: 'retryable',
        provider: DMS_PROVIDER,
        taskId: context.taskId,
        ...(maybeApplied ? { maybeApplied: true } : {}),
        cause: error,
      },
    );
  }
  // A 2xx the SDK could not read is DMS's fault, not a retry's business.
  const errorClass = status < 300 ? 'provider-error' : classifyDmsError(error.name, status);
  return new ProviderError(`${DMS_PROVIDER} HTTP ${status} ${error.name}${message ? `: ${message}` : ''}`, {
    errorClass,
    provider: DMS_PROVIDER,
    status,
    providerCode: error.name,
    taskId: context.taskId,
    // DMS gives no Retry-After: the throttled request waits a second before its retry (the account's rate is cut).
    ...(errorClass === 'throttled' ? { retryAfterMs: THROTTLED_RETRY_WAIT_MS } : {}),
  });
}

/** How long a throttled DMS request waits before it is sent again (AWS's own SDKs back off from 0.5–1 s). */
const THROTTLED_RETRY_WAIT_MS = 1_000;

/** The connection was never made: the request certainly did not reach AWS. */
function isNeverSent(shape: AwsErrorShape): boolean {
  const code = typeof shape.code === 'string' ? shape.code : undefined;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return true;
  return typeof shape.message === 'string' && shape.message.includes('without establishing a connection');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
