import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretError } from '../core/errors';
import type { SecretSource } from '../core/secrets';
import { type ClientSource, once, resolveClient, secretsManagerSdk } from './clients';

export interface SecretsManagerSourceOptions {
  /** The client, or how to make it on the first read (the SDK is then loaded only by a function that reads one). */
  client: ClientSource<SecretsManagerClient>;
  /** How long a fetched secret is reused (default five minutes). */
  ttlMs?: number;
  now?: () => number;
}

const ARN_PREFIX = 'arn:aws:secretsmanager:';

/** Whether a reference names a Secrets Manager secret: `aws:NAME` or a full ARN. */
export function isSecretsManagerRef(ref: string): boolean {
  return ref.startsWith('aws:') || ref.startsWith(ARN_PREFIX);
}

/** The SecretId of a reference: the name after `aws:`, or the ARN itself. */
export function secretIdOf(ref: string): string {
  return ref.startsWith('aws:') ? ref.slice(4) : ref;
}

/**
 * Account secrets from Secrets Manager: fetched lazily per reference, cached for `ttlMs`, one call for
 * concurrent readers of the same reference, and dropped by `invalidate` after the provider refused them.
 */
export function createSecretsManagerSource(options: SecretsManagerSourceOptions): SecretSource {
  const ttlMs = options.ttlMs ?? 300_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Promise<Record<string, unknown>>; fetchedAt: number }>();
  const clientOf = once(() => resolveClient(options.client));

  async function fetch(ref: string): Promise<Record<string, unknown>> {
    if (!isSecretsManagerRef(ref))
      throw new SecretError(`secret ${ref}: not a Secrets Manager reference (aws:NAME or an ARN)`, ref);
    const id = secretIdOf(ref);
    let text: string | undefined;
    try {
      // Loaded on the first read, not at cold start: most invocations find the secret cached.
      const { GetSecretValueCommand } = await secretsManagerSdk();
      text = (await (await clientOf()).send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
    } catch (cause) {
      throw new SecretError(describeFailure(ref, id, cause), ref, { transient: isTransient(cause) });
    }
    if (text === undefined) {
      throw new SecretError(
        `secret ${ref} has no SecretString (binary secrets are not supported) — store the keys as a JSON string: aws secretsmanager put-secret-value --secret-id ${id} --secret-string file://secret.json`,
        ref,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message can quote the secret text: say only which secret it was.
      throw new SecretError(`secret ${ref} is not valid JSON`, ref);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new SecretError(`secret ${ref} is not a JSON object`, ref);
    }
    return json as Record<string, unknown>;
  }

  return {
    get(ref) {
      const cached = cache.get(ref);
      if (cached && now() - cached.fetchedAt < ttlMs) return cached.value;
      const value = fetch(ref);
      const entry = { value, fetchedAt: now() };
      cache.set(ref, entry);
      // A failure is not cached; but only this fetch's entry goes, not a newer one made after invalidate.
      value.catch(() => {
        if (cache.get(ref) === entry) cache.delete(ref);
      });
      return value;
    },
    invalidate(ref) {
      cache.delete(ref);
    },
  };
}

/** Errors of the secret store itself (throttling, 5xx, the network), as opposed to the secret or our access to it. */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidParameterException',
  'InvalidRequestException',
]);

function isTransient(cause: unknown): boolean {
  return !(cause instanceof Error && PERMANENT.has(cause.name));
}

function describeFailure(ref: string, id: string, cause: unknown): string {
  const name = cause instanceof Error ? cause.name : 'Error';
  if (name === 'ResourceNotFoundException') {
    return `secret ${ref} does not exist — create it with aws secretsmanager create-secret --name ${id} --secret-string '{...}'`;
  }
  if (name === 'AccessDeniedException') {
    return `secret ${ref}: access denied (is it under the functions' secrets prefix MP_SECRETS_PREFIX?) — keep account secrets under the stage's secretsPrefix param (serverless.yml; IAM allows only those), or, if it is encrypted with your own KMS key, allow the functions' roles kms:Decrypt on it`;
  }
  if (isTransient(cause)) {
    return `secret ${ref} could not be read (${name}) — Secrets Manager itself failed: the targets are retryable, redrive them later`;
  }
  return `secret ${ref} could not be read (${name})`;
}

/** Routes `env:`/`file:` references to the local source and `aws:`/ARN references to Secrets Manager. */
export function createSecretSource(options: { local?: SecretSource; aws?: SecretSource }): SecretSource {
  const sourceOf = (ref: string): SecretSource => {
    const source = isSecretsManagerRef(ref)
      ? options.aws
      : ref.startsWith('env:') || ref.startsWith('file:')
        ? options.local
        : undefined;
    if (!source) throw new SecretError(`secret ${ref}: no secret source serves this kind of reference here`, ref);
    return source;
  };
  return {
    get: async (ref) => sourceOf(ref).get(ref),
    invalidate: (ref) => {
      if (isSecretsManagerRef(ref)) options.aws?.invalidate(ref);
      else options.local?.invalidate(ref);
    },
  };
}
