import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { AccountConfig } from '../../config';
import { ProviderError, secretFieldsError } from '../../core/errors';
import { rememberSecretValues } from '../../core/redaction';
import { type Attempt, type HttpSettings, withProviderRetries } from '../../http/client';
import { DMS_PROVIDER, dmsErrorFrom } from './errors';
import { sdkClientSettings } from './sdk-settings';
import '../../core/zod-messages';

/** AWS credentials, as the SDK takes them. */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Where a client's credentials come from: a function the SDK calls, or undefined for the default chain. */
export interface DmsCredentials {
  provide?: () => Promise<AwsKeys>;
  /** DMS refused them: the next call assumes the role again rather than reuse what was refused. */
  forget(): void;
}

const baseKeysSchema = z.object({
  accessKeyId: z.string().check(z.minLength(1)),
  secretAccessKey: z.string().check(z.minLength(1)),
  sessionToken: z.optional(z.string().check(z.minLength(1))),
});

const REQUIRED_FIELDS = ['accessKeyId', 'secretAccessKey'];

/**
 * The base keys an account's secret holds, or undefined when the account names no secret (the default chain: the
 * function's role on Lambda, the operator's profile on the CLI). Errors name the reference and field, never a value.
 */
export function parseDmsSecret(secret: Record<string, unknown>, secretRef: string): AwsKeys | undefined {
  if (Object.keys(secret).length === 0) return undefined;
  const parsed = baseKeysSchema.safeParse(secret);
  if (parsed.success) return parsed.data;
  throw secretFieldsError(secret, secretRef, parsed.error.issues, REQUIRED_FIELDS);
}

/** Assumed credentials are used until this long before they expire, then the role is assumed again. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
/** An hour, STS's default and the most a role chained from another role may have. */
const SESSION_SECONDS = 3600;
const SESSION_NAME = 'migration-pauser';

const assumedSchema = z.object({
  Credentials: z.object({
    AccessKeyId: z.string().check(z.minLength(1)),
    SecretAccessKey: z.string().check(z.minLength(1)),
    SessionToken: z.string().check(z.minLength(1)),
    Expiration: z.date(),
  }),
});

interface CachedRole {
  keys: Promise<AwsKeys>;
  /** Epoch ms after which the cached keys are not handed out (expiry minus the margin); Infinity while pending. */
  useUntil: number;
}

/** Per process (a warm Lambda keeps it): role, external id, STS endpoint and base identity → assumed keys. */
const assumedRoles = new Map<string, CachedRole>();

let stsModule: Promise<typeof import('@aws-sdk/client-sts')> | undefined;
/** Loaded on first use: only a run that assumes a role pays for the STS client. */
const loadSts = () => {
  stsModule ??= import('@aws-sdk/client-sts');
  return stsModule;
};

export interface DmsCredentialOptions {
  account: AccountConfig;
  secret: Record<string, unknown>;
  secretRef: string;
  http: HttpSettings;
  now?: () => number;
}

/**
 * The account's credentials for DMS. With a `roleArn`: the role assumed with STS (with the account's ExternalId),
 * signed by the base keys of its secret or, without one, by the default chain; cached until five minutes before
 * expiry. Without a role: the secret's keys, or the default chain.
 */
export function dmsCredentials(options: DmsCredentialOptions): DmsCredentials {
  const { account, http } = options;
  const now = options.now ?? Date.now;
  const base = parseDmsSecret(options.secret, options.secretRef);
  if (base !== undefined) rememberSecretValues(base);
  if (account.roleArn === undefined) {
    return { ...(base === undefined ? {} : { provide: async () => base }), forget: () => {} };
  }
  const roleArn: string = account.roleArn;
  // The base keys by digest: a rotated secret is another identity, and its own cache entry.
  const identity = base === undefined ? null : createHash('sha256').update(JSON.stringify(base)).digest('hex');
  const cacheKey = JSON.stringify([roleArn, account.externalId ?? null, account.stsEndpoint ?? null, account.region, identity]);

  async function assume(): Promise<AwsKeys> {
    const sts = await loadSts();
    const client = new sts.STSClient({
      region: account.region,
      ...sdkClientSettings(http, account.stsEndpoint),
      ...(base === undefined ? {} : { credentials: base }),
    });
    const command = new sts.AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: SESSION_NAME,
      DurationSeconds: SESSION_SECONDS,
      ...(account.externalId === undefined ? {} : { ExternalId: account.externalId }),
    });
    try {
      const answer = await withProviderRetries(http, async (): Promise<Attempt<unknown>> => {
        try {
          return { ok: true, value: await client.send(command) };
        } catch (error) {
          return { ok: false, error: dmsErrorFrom(error) };
        }
      });
      const parsed = assumedSchema.safeParse(answer);
      if (!parsed.success) {
        throw new ProviderError('STS answered AssumeRole without usable credentials', {
          errorClass: 'provider-error',
          provider: DMS_PROVIDER,
        });
      }
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = parsed.data.Credentials;
      const keys = {
        accessKeyId: AccessKeyId,
        secretAccessKey: SecretAccessKey,
        sessionToken: SessionToken,
        expiration: Expiration,
      };
      rememberSecretValues(keys);
      return keys;
    } catch (error) {
      throw asRoleError(error, roleArn);
    } finally {
      client.destroy();
    }
  }

  return {
    provide: () => {
      const cached = assumedRoles.get(cacheKey);
      if (cached !== undefined && now() < cached.useUntil) return cached.keys;
      const entry: CachedRole = { keys: assume(), useUntil: Number.POSITIVE_INFINITY };
      assumedRoles.set(cacheKey, entry);
      entry.keys.then(
        (keys) => {
          entry.useUntil = (keys.expiration?.getTime() ?? now()) - REFRESH_BEFORE_EXPIRY_MS;
        },
        () => {
          if (assumedRoles.get(cacheKey) === entry) assumedRoles.delete(cacheKey);
        },
      );
      return entry.keys;
    },
    forget: () => {
      assumedRoles.delete(cacheKey);
    },
  };
}

/** An STS failure says which role could not be assumed (an ARN is no secret), keeping its class and code. */
function asRoleError(error: unknown, roleArn: string): ProviderError {
  const cause = error instanceof ProviderError ? error : dmsErrorFrom(error);
  return new ProviderError(`cannot assume role ${roleArn}: ${cause.message}`, { ...cause.details(), cause });
}

/** Tests: forget every assumed role. */
export function clearAssumedRoles(): void {
  assumedRoles.clear();
}
