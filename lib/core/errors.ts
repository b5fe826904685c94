import { redactText } from './redaction';

/** The error taxonomy of DESIGN.md: every failed target carries exactly one of these classes. */
export const ERROR_CLASSES = [
  'retryable',
  'throttled',
  'auth',
  'not-found',
  'invalid-state',
  'bad-request',
  'provider-error',
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Base class of every error this project throws on purpose. */
export class MigrationPauserError extends Error {
  override name = 'MigrationPauserError';
}

export interface ProviderErrorDetails {
  errorClass: ErrorClass;
  provider: string;
  /** HTTP status, when the provider answered. */
  status?: number;
  /** The provider's own error code (`OMS.1009`, `APIG.0301`, NCP `210`). */
  providerCode?: string;
  taskId?: string;
  /** How long the provider asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** How many HTTP attempts were made before giving up. */
  attempts?: number;
  /**
   * An action request was sent and no answer came back (a timeout, a dropped connection): the provider may have
   * carried it out. It is not sent again; the task is read back to find out.
   */
  maybeApplied?: boolean;
  /**
   * Not carried out because the run's time is up (the provider asked to wait past its stopBy): the work is handed
   * on, not failed.
   */
  outOfTime?: boolean;
  /**
   * No connection to the provider could be made. The endpoint (origin only) and the socket's code (ECONNREFUSED,
   * ENOTFOUND, …) say what to check.
   */
  unreachable?: Unreachable;
  cause?: unknown;
}

export interface Unreachable {
  endpoint: string;
  code: string;
}

/**
 * A provider call that did not do what we asked. Never carries a credential: its message and code are redacted as
 * it is made, whatever the provider wrote into them (a per-job error that quotes the account's keys included).
 */
export class ProviderError extends MigrationPauserError {
  override name = 'ProviderError';
  readonly errorClass: ErrorClass;
  readonly provider: string;
  readonly status?: number;
  readonly providerCode?: string;
  readonly taskId?: string;
  readonly retryAfterMs?: number;
  readonly maybeApplied?: boolean;
  readonly outOfTime?: boolean;
  readonly unreachable?: Unreachable;
  attempts: number;
  /**
   * An earlier attempt of the same request was answered with a server error (5xx), which may have been carried out:
   * a refusal now may be the effect of that attempt. (A throttled attempt was certainly not carried out.)
   */
  afterServerError?: boolean;

  constructor(message: string, details: ProviderErrorDetails) {
    super(redactText(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.errorClass = details.errorClass;
    this.provider = details.provider;
    this.status = details.status;
    this.providerCode = details.providerCode === undefined ? undefined : redactText(details.providerCode);
    this.taskId = details.taskId;
    this.retryAfterMs = details.retryAfterMs;
    this.maybeApplied = details.maybeApplied;
    this.outOfTime = details.outOfTime;
    this.unreachable = details.unreachable;
    this.attempts = details.attempts ?? 1;
  }

  /** The same error, attributed to one task (batch calls learn the task after the fact). */
  forTask(taskId: string): ProviderError {
    return new ProviderError(this.message, { ...this.details(), taskId });
  }

  details(): ProviderErrorDetails {
    return {
      errorClass: this.errorClass,
      provider: this.provider,
      status: this.status,
      providerCode: this.providerCode,
      taskId: this.taskId,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
      maybeApplied: this.maybeApplied,
      outOfTime: this.outOfTime,
      unreachable: this.unreachable,
    };
  }
}

export function isRetryableClass(errorClass: ErrorClass): boolean {
  return errorClass === 'retryable' || errorClass === 'throttled';
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** A command, message or event that does not match the Command schema. Never retried. */
export class CommandValidationError extends MigrationPauserError {
  override name = 'CommandValidationError';
  constructor(readonly issues: FieldIssue[]) {
    super(`invalid command: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** The accounts file is missing, unreadable or invalid. */
export class ConfigError extends MigrationPauserError {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(issues.length ? `${message}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : message);
  }
}

/** A secret could not be fetched or lacks a field. The message names the reference and field, never a value. */
export class SecretError extends MigrationPauserError {
  override name = 'SecretError';
  /** The secret store failed (throttled, unavailable), not the secret: trying again later may work. */
  readonly transient: boolean;
  constructor(
    message: string,
    readonly secretRef: string,
    options?: { cause?: unknown; transient?: boolean },
  ) {
    super(message, options);
    this.transient = options?.transient ?? false;
  }
}

/**
 * The error for a secret whose fields an adapter's schema refused: names the first field at fault (missing, or not a
 * non-empty string) and how to fix it for this kind of reference, never a value.
 */
export function secretFieldsError(
  secret: Record<string, unknown>,
  secretRef: string,
  issues: readonly { path: readonly PropertyKey[] }[],
  fields: readonly string[],
): SecretError {
  const field = issues[0]?.path.map(String).join('.') || '(root)';
  const missing = secret[field] === undefined || secret[field] === null;
  return new SecretError(
    missing
      ? `secret ${secretRef} has no field ${field} — ${secretFieldsHint(secretRef, fields)}`
      : `secret ${secretRef} field ${field} must be a non-empty string — ${secretFieldsHint(secretRef, fields, 'fix')}`,
    secretRef,
  );
}

/**
 * How to give a secret the fields an adapter needs, by the kind of reference: Secrets Manager, an environment
 * variable or a file. Names fields, never values (it is put in error messages).
 */
export function secretFieldsHint(ref: string, fields: readonly string[], verb: 'add' | 'fix' = 'add'): string {
  const list = fields.join(', ');
  if (ref.startsWith('aws:') || ref.startsWith('arn:')) {
    const id = ref.startsWith('aws:') ? ref.slice(4) : ref;
    return `${verb} it with aws secretsmanager put-secret-value --secret-id ${id} --secret-string file://secret.json, where secret.json is one JSON object holding every field (${list}): the new value replaces the whole secret`;
  }
  if (ref.startsWith('env:')) {
    return `set ${ref.slice(4)} to one JSON object holding ${list}, e.g. export ${ref.slice(4)}="$(cat secret.json)"`;
  }
  if (ref.startsWith('file:')) {
    const [path = '', key] = ref.slice(5).split('#', 2);
    return key === undefined
      ? `${verb} it in the JSON object in ${path} (fields: ${list})`
      : `${verb} it in the entry "${key}" of ${path} (fields: ${list})`;
  }
  return `give the secret the fields ${list}`;
}

/** A sum-of-outcomes invariant broke: a bug, never a provider problem. */
export class InvariantError extends MigrationPauserError {
  override name = 'InvariantError';
}

/**
 * The class of a failure that is not a provider's answer: a secret that could not be read is `auth` when the
 * secret (or our access to it) is wrong, `retryable` when the secret store itself failed.
 */
export function errorClassOf(error: unknown): ErrorClass {
  if (error instanceof ProviderError) return error.errorClass;
  if (error instanceof SecretError) return error.transient ? 'retryable' : 'auth';
  return 'provider-error';
}

/**
 * Another delivery of the same command is working on some of a message's targets right now (its claims are within
 * their lease). This delivery did its own share and reports nothing for those: the message goes back to the queue,
 * to be seen again once that delivery has finished (its outcomes are then replayed) or died (its claims taken over).
 */
export class ClaimsInProgressError extends MigrationPauserError {
  constructor(
    readonly commandId: string,
    readonly targets: readonly string[],
  ) {
    super(`${targets.length} target(s) of command ${commandId} are being worked on by another delivery; retry later`);
  }
  override name = 'ClaimsInProgressError';
}

/**
 * Some events could not be published (the bus refused them, or could not be reached) after retries. Nothing else
 * failed: the outcomes they describe are recorded in the ledger.
 */
export class EventsNotPublishedError extends MigrationPauserError {
  override name = 'EventsNotPublishedError';
  constructor(
    readonly failed: number,
    readonly total: number,
    readonly errorCodes: string[],
    options?: { cause?: unknown },
  ) {
    super(`${failed} of ${total} events were not published (${errorCodes.join(', ') || 'unknown error'})`, options);
  }
}
