import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PROVIDER_KEYS } from '../../../lib/providers/keys';
import { ACCOUNTS_SCHEMA_PATH, buildAccountsJsonSchema } from '../../../scripts/write-accounts-schema';

interface ProviderRule {
  if: { properties: { provider: { const: string } } };
  then: { required?: string[]; not?: { anyOf: Array<{ required: string[] }> } };
}

describe('the published accounts file JSON Schema', () => {
  it('matches the zod schema and manifests it is generated from (run npm run schema when this fails)', async () => {
    const committed: unknown = JSON.parse(await readFile(ACCOUNTS_SCHEMA_PATH, 'utf8'));

    expect(committed, 'docs/accounts.schema.json is stale: run npm run schema').toEqual(buildAccountsJsonSchema());
  });

  it('spells out each provider’s own rules: Huawei needs a projectId, only AWS DMS takes a role and may go without a secret', () => {
    const schema = JSON.stringify(buildAccountsJsonSchema());
    const rules = (JSON.parse(schema) as { properties: { accounts: { items: { allOf: ProviderRule[] } } } }).properties.accounts
      .items.allOf;
    const ruleOf = (key: string) => rules.find((r) => r.if.properties.provider.const === key)?.then;

    expect(rules.map((r) => r.if.properties.provider.const)).toEqual([...PROVIDER_KEYS]);
    expect(ruleOf('huawei-drs')?.required).toEqual(['projectId', 'secret']);
    expect(ruleOf('ncp-object-migration')?.required).toEqual(['secret']);
    expect(ruleOf('ncp-object-migration')?.not?.anyOf).toContainEqual({ required: ['roleArn'] });
    expect(ruleOf('aws-dms')?.required).toBeUndefined();
    expect(ruleOf('aws-dms')?.not).toBeUndefined();
  });
});
