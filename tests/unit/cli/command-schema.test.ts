import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../lib/core/command';
import { buildCommandJsonSchema, COMMAND_SCHEMA_PATH } from '../../../scripts/write-command-schema';

const DOCS = join(import.meta.dirname, '../../../docs');

describe('the published Command JSON Schema', () => {
  it('matches the zod schema it is generated from (run npm run schema when this fails)', async () => {
    const committed: unknown = JSON.parse(await readFile(COMMAND_SCHEMA_PATH, 'utf8'));

    const generated = buildCommandJsonSchema();

    expect(committed, 'docs/command.schema.json is stale: run npm run schema').toEqual(generated);
  });

  it('is the same on every run, so the file does not churn', () => {
    expect(buildCommandJsonSchema()).toEqual(buildCommandJsonSchema());
  });

  it('spells out the rules that zod checks in code: a scope needs a selector, and until is for pause only', () => {
    const schema = buildCommandJsonSchema();

    expect(JSON.stringify(schema)).toContain('"anyOf":[{"required":["all"]');
    expect(schema.dependentSchemas).toEqual({ until: { properties: { action: { const: 'pause' } } } });
  });

  it('documents commands that the service accepts', async () => {
    const publishing = await readFile(join(DOCS, 'publishing.md'), 'utf8');
    const bodies = [...publishing.matchAll(/--message-body '(\{[\s\S]*?\})'/g)].map((m) => m[1] ?? '');

    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(parseCommand(JSON.parse(body)).commandId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
