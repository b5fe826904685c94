/**
 * Writes docs/accounts.schema.json, the accounts file's JSON Schema, from the zod schema in lib/config.ts and the
 * provider manifests (which fields each provider requires, which belong to it alone, whether it needs a secret).
 * Run it (`npm run schema`) after changing either; tests/unit/config/accounts-schema.test.ts fails until you do.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { accountsFileSchema } from '../lib/config';
import { ACCOUNT_FIELD_OWNERS, PROVIDER_MANIFESTS, secretOptional } from '../lib/providers/keys';

export const ACCOUNTS_SCHEMA_PATH = join(import.meta.dirname, '../docs/accounts.schema.json');

type Json = Record<string, unknown>;

/** What each field means; the zod schema's comments are not visible to toJSONSchema. */
const DESCRIPTIONS: Record<string, string> = {
  name: 'unique account name, used in scopes, the ledger and the failures queue',
  provider: 'which provider this account is an account of',
  region: 'NCP: x-ncp-region_code (e.g. KR); Huawei: the endpoint region; AWS: the region (e.g. ap-northeast-2)',
  projectId: 'Huawei: the project id in every path',
  endpoint: 'overrides the provider’s base URL (a private endpoint, or the simulator)',
  secret:
    'where the credentials live: env:NAME, file:PATH#key, aws:NAME or a Secrets Manager ARN; AWS DMS accounts may name none (the default credential chain)',
  rateLimit: 'requests a second to this account, and how many at once; overrides the provider’s conservative default',
  batchSize: 'most tasks one call carries; lowers the provider’s batch limit',
  confirm: 'how often, and for how long, an action is read back until the task reaches the state asked for',
  timeoutMs: 'one request’s timeout',
  roleArn: 'AWS DMS: the IAM role assumed with STS to call DMS (the functions may assume exactly these roles)',
  externalId: 'AWS DMS: the ExternalId the role’s trust policy demands',
  stsEndpoint: 'AWS DMS: overrides the STS endpoint (a VPC endpoint, or the simulator)',
};

/** The accounts file's JSON Schema (draft 2020-12), with the per-provider rules that zod checks in code. */
export function buildAccountsJsonSchema(): Json {
  const generated: Json = z.toJSONSchema(accountsFileSchema, { io: 'input' });
  const account = objectAt(objectAt(objectAt(generated, 'properties'), 'accounts'), 'items');
  const properties = objectAt(account, 'properties');
  for (const [field, description] of Object.entries(DESCRIPTIONS)) objectAt(properties, field).description = description;
  account.allOf = PROVIDER_MANIFESTS.map((manifest) => {
    const required = [...manifest.requiredAccountFields, ...(secretOptional(manifest.key) ? [] : ['secret'])];
    const others = [...ACCOUNT_FIELD_OWNERS].filter(([, owner]) => owner.key !== manifest.key).map(([field]) => field);
    return {
      if: { properties: { provider: { const: manifest.key } }, required: ['provider'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword; this object is never awaited
      then: {
        ...(required.length > 0 ? { required } : {}),
        ...(others.length > 0 ? { not: { anyOf: others.map((field) => ({ required: [field] })) } } : {}),
      },
    };
  });
  return generated;
}

function objectAt(parent: Json, key: string): Json {
  const value = parent[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`accounts schema has no object at ${key}`);
  return value as Json;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(ACCOUNTS_SCHEMA_PATH, `${JSON.stringify(buildAccountsJsonSchema(), null, 2)}\n`);
  process.stdout.write(`wrote ${ACCOUNTS_SCHEMA_PATH}\n`);
}
