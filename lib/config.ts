import { readFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import { accountNameSchema, toFieldIssues } from './core/command';
import { ConfigError } from './core/errors';
import './core/zod-messages';
import { ACCOUNT_FIELD_OWNERS, manifestOf, PROVIDER_ACCOUNT_FIELDS, PROVIDER_KEYS, secretOptional } from './providers/keys';

export const accountSchema = z
  .strictObject({
    name: accountNameSchema,
    provider: z.enum(PROVIDER_KEYS),
    /** NCP: the `x-ncp-region_code` (e.g. KR). Huawei: the region in the endpoint (e.g. ap-southeast-1). */
    region: z.string().check(z.regex(/^[A-Za-z0-9-]{1,40}$/)),
    /** Huawei: the project id in every path (a provider's manifest says whether it needs one). */
    projectId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/))),
    /** Overrides the provider's base URL (how tests and the demo reach the simulator). */
    endpoint: z.optional(z.url()),
    /**
     * Where the credentials live: `env:NAME`, `file:PATH#key`, or a Secrets Manager name/ARN (`aws:NAME`). Required
     * unless the provider's manifest says its credentials may come from the environment (AWS DMS).
     */
    secret: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
    /**
     * The adaptive limiter starts at `perSecond` (default: the adapter's) and never goes above `max`. A `perSecond`
     * given without `max` is the ceiling too: a hand-tuned rate stays the most this account is sent.
     */
    rateLimit: z.optional(
      z
        .strictObject({
          perSecond: z.optional(z.number().check(z.positive(), z.lte(10_000))),
          burst: z.optional(z.int().check(z.gte(1), z.lte(10_000))),
          max: z.optional(z.number().check(z.positive(), z.lte(10_000))),
        })
        .check(
          z.refine((r) => r.max === undefined || r.perSecond === undefined || r.perSecond <= r.max, {
            message: 'perSecond must not be above max',
            path: ['perSecond'],
          }),
        ),
    ),
    batchSize: z.optional(z.int().check(z.gte(1), z.lte(1000))),
    confirm: z.optional(z.strictObject({ intervalMs: z.int().check(z.gte(1)), deadlineMs: z.int().check(z.gte(1)) })),
    timeoutMs: z.optional(z.int().check(z.gte(1), z.lte(120_000))),
    /** Each provider's own fields (AWS DMS `roleArn`, `externalId`, `stsEndpoint`), from its manifest. */
    ...PROVIDER_ACCOUNT_FIELDS,
  })
  .check(
    z.superRefine((a, ctx) => {
      const manifest = manifestOf(a.provider);
      for (const field of manifest.requiredAccountFields) {
        if (a[field] === undefined) {
          ctx.issues.push({
            code: 'custom',
            message: `${manifest.displayName} accounts need a ${field}`,
            path: [field],
            input: a,
          });
        }
      }
      if (a.secret === undefined && !secretOptional(a.provider)) {
        ctx.issues.push({
          code: 'custom',
          message: `${manifest.displayName} accounts need a secret`,
          path: ['secret'],
          input: a,
        });
      }
      for (const [field, owner] of ACCOUNT_FIELD_OWNERS) {
        if (owner.key !== a.provider && (a as Record<string, unknown>)[field] !== undefined) {
          ctx.issues.push({
            code: 'custom',
            message: `${field} is a field of ${owner.displayName} accounts only`,
            path: [field],
            input: a,
          });
        }
      }
    }),
  );

export const accountsFileSchema = z.strictObject({ accounts: z.array(accountSchema).check(z.minLength(1)) }).check(
  z.refine((f) => new Set(f.accounts.map((a) => a.name)).size === f.accounts.length, {
    message: 'account names must be unique',
    path: ['accounts'],
  }),
);

export type AccountConfig = z.output<typeof accountSchema>;
export type AccountsFile = z.output<typeof accountsFileSchema>;

export function parseAccounts(input: unknown): AccountsFile {
  const result = accountsFileSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError('invalid accounts file', toFieldIssues(result.error));
}

export async function loadAccountsFile(path: string): Promise<AccountsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read accounts file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`accounts file ${path} is not valid JSON: ${(cause as Error).message}`);
  }
  return parseAccounts(json);
}
