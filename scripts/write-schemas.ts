/**
 * Writes the JSON Schemas of the windows file (docs/windows.schema.json) and of the events (docs/events.schema.json)
 * from their zod schemas. Run it (`npm run schema`) after changing either; tests/unit/cli/published-schemas.test.ts
 * fails until you do.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { EVENT_DETAIL_SCHEMAS } from '../lib/core/event-schema';
import { EVENT_SOURCE, EVENTS_VERSION } from '../lib/core/events';
import { windowsFileSchema } from '../lib/windows/schema';

const DOCS = join(import.meta.dirname, '../docs');
export const WINDOWS_SCHEMA_PATH = join(DOCS, 'windows.schema.json');
export const EVENTS_SCHEMA_PATH = join(DOCS, 'events.schema.json');

type Json = Record<string, unknown>;

/** config/windows.<stage>.yaml's JSON Schema (editors can validate the YAML with it). */
export function buildWindowsJsonSchema(): Json {
  const generated: Json = z.toJSONSchema(windowsFileSchema, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: generated.$schema,
    $id: 'urn:migration-pauser:schema:windows:1',
    title: 'migration-pauser windows file (config/windows.<stage>.yaml)',
    description:
      'The pause/resume windows of one stage. Generated from lib/windows/schema.ts by npm run schema; do not edit. Checks this schema cannot express (the cron grammar, IANA zones, unique names, resume after pause) are made by `migration-pauser windows` and at package time.',
    ...generated,
  };
}

/**
 * The events' JSON Schema: the EventBridge envelope's `source` and `detail-type`, and each detail type's `detail`
 * (under $defs, chosen by detail-type).
 */
export function buildEventsJsonSchema(): Json {
  const defs: Json = {};
  const cases = Object.entries(EVENT_DETAIL_SCHEMAS).map(([detailType, schema]) => {
    const name = detailType.replace(/ /g, '');
    const { $schema: _, ...detail } = z.toJSONSchema(schema, { io: 'output' });
    defs[name] = detail;
    return {
      if: { properties: { 'detail-type': { const: detailType } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
      then: { properties: { detail: { $ref: `#/$defs/${name}` } } },
    };
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:migration-pauser:schema:events:${EVENTS_VERSION}`,
    title: 'migration-pauser events',
    description:
      'One event as EventBridge delivers it to a rule target (the fields this project sets), or as a line of the CLI’s --events-file. Generated from lib/core/event-schema.ts by npm run schema; do not edit.',
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      source: { const: EVENT_SOURCE },
      'detail-type': { enum: Object.keys(EVENT_DETAIL_SCHEMAS) },
      detail: { type: 'object', required: ['version'], properties: { version: { const: EVENTS_VERSION } } },
    },
    allOf: cases,
    $defs: defs,
  };
}

async function write(path: string, schema: Json): Promise<void> {
  await writeFile(path, `${JSON.stringify(schema, null, 2)}\n`);
  // Biome owns the layout of JSON in the repository; the sync test compares parsed JSON, not text.
  execFileSync(join(import.meta.dirname, '../node_modules/.bin/biome'), ['format', '--write', path], { stdio: 'ignore' });
  process.stdout.write(`wrote ${path}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await write(WINDOWS_SCHEMA_PATH, buildWindowsJsonSchema());
  await write(EVENTS_SCHEMA_PATH, buildEventsJsonSchema());
}
