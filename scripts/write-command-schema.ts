/**
 * Writes docs/command.schema.json, the Command's JSON Schema, from the zod schema in lib/core/command.ts.
 * Run it (`npm run schema`) after changing the Command; tests/unit/cli/command-schema.test.ts fails until you do.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { COMMAND_VERSION, commandSchema, taskIdSchema } from '../lib/core/command';
import { PROVIDER_MANIFESTS } from '../lib/providers/keys';

export const COMMAND_SCHEMA_PATH = join(import.meta.dirname, '../docs/command.schema.json');

type Json = Record<string, unknown>;

const SCOPE_SELECTORS = ['providers', 'accounts', 'taskIds', 'namePattern'] as const;
const ALL_TRUE = { required: ['all'], properties: { all: { const: true } } };

/** What each field means to a publisher; the zod schema's comments are not visible to toJSONSchema. */
const DESCRIPTIONS: Record<string, string> = {
  version: `the Command format this message is written for (${COMMAND_VERSION}); optional — a message stating a later version is refused rather than misread`,
  action: 'pause or resume the tasks in scope',
  scope:
    'which tasks: all: true, or any of providers, accounts, taskIds, namePattern (every given selector must match); exclude removes anything matching one of its selectors',
  'scope.all': 'every task in every account; cannot be combined with other selectors (use exclude to narrow it)',
  'scope.namePattern': 'a glob over task names: * any run of characters, ? one character',
  reason: 'why, recorded in the ledger and every failure message (e.g. an incident or change ticket)',
  requestedBy: 'who or what asked, recorded in the ledger',
  source:
    'who holds what this command pauses, and whose holds its resume lifts (e.g. window:business-hours, INC-1234, change-system); a resume lifts only its own source’s holds',
  until: 'pause only: the hold stops counting at this instant (ISO 8601 with an offset)',
  commandId:
    'always set it (a UUID): a redelivered message with the same id is the same command and makes no second provider call; generated when absent',
  dryRun: 'plan only: report what would happen, change nothing',
  options: 'how the command acts; a provider’s own options go under its key (e.g. options["huawei-drs"].pauseMode)',
  'options.force': 'resume even tasks that another source still holds paused (recorded in the audit)',
  'options.expiredHolds': 'resume only targets whose every hold has expired (what the sweep sends)',
  'options.allowIrreversible':
    'pause: also stop tasks the provider can never restart (DCS backup-file imports); otherwise they are unsupported and left running',
  sentBy: 'set by the commands function from the queue (the SQS SenderId); whatever a sender writes here is replaced',
  redrive:
    'set by redrive on a command it made from failed targets: of is the original command id, by who redrove it (requestedBy stays the original requester)',
  'redrive.of': 'the id of the command whose failed targets this command runs again',
  'redrive.by': 'who redrove them (the CLI’s --requested-by or $USER; the redrive function’s request, or redrive-function)',
};

/** The Command's JSON Schema (draft 2020-12) as accepted on input: defaults shown, refinements spelled out. */
export function buildCommandJsonSchema(): Json {
  const generated: Json = z.toJSONSchema(commandSchema, {
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      // The task id refinements are functions; state the portable part as patterns so validators see it too.
      if (zodSchema === taskIdSchema) {
        jsonSchema.description =
          'a task id; must not contain / \\ % ? # .. or control or format characters, nor start or end with spaces';
        jsonSchema.allOf = [
          { pattern: '^[^/\\\\%?#\\u0000-\\u001f\\u007f-\\u009f]*$' },
          { not: { pattern: '\\.\\.' } },
          { not: { pattern: '^\\s|\\s$' } },
        ];
      }
    },
  });
  const properties = objectAt(generated, 'properties');
  const scope = objectAt(properties, 'scope');
  const commandId = objectAt(properties, 'commandId');
  // zod evaluates the commandId default (a fresh UUID); the file must not change on every run.
  delete commandId.default;
  for (const [path, description] of Object.entries(DESCRIPTIONS)) {
    const [first = '', second] = path.split('.');
    const field = second ? objectAt(objectAt(objectAt(properties, first), 'properties'), second) : objectAt(properties, first);
    field.description = description;
  }
  // Each provider's options, described from its manifest.
  const options = objectAt(objectAt(properties, 'options'), 'properties');
  for (const manifest of PROVIDER_MANIFESTS) {
    if (!('options' in manifest)) continue;
    const own = objectAt(options, manifest.key);
    own.description = `${manifest.displayName} only`;
    for (const [field, description] of Object.entries(manifest.optionDescriptions)) {
      objectAt(objectAt(own, 'properties'), field).description = description;
    }
  }
  // The scope and until refinements, which toJSONSchema drops, as JSON Schema.
  scope.anyOf = [ALL_TRUE, ...SCOPE_SELECTORS.map((s) => ({ required: [s] }))];
  scope.not = { ...ALL_TRUE, anyOf: SCOPE_SELECTORS.map((s) => ({ required: [s] })) };
  return {
    $schema: generated.$schema,
    // The format version is part of the id: a later, incompatible Command gets a schema of its own.
    $id: `urn:migration-pauser:schema:command:${COMMAND_VERSION}`,
    title: 'migration-pauser Command',
    description:
      'One Command per message on the commands queue (or the payload of the incident function). Generated from lib/core/command.ts by npm run schema; do not edit.',
    ...generated,
    dependentSchemas: { until: { properties: { action: { const: 'pause' } } } },
  };
}

function objectAt(parent: Json, key: string): Json {
  const value = parent[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`the generated schema has no object at ${key}; did the Command change shape?`);
  }
  return value as Json;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(COMMAND_SCHEMA_PATH, `${JSON.stringify(buildCommandJsonSchema(), null, 2)}\n`);
  // Biome owns the layout of JSON in the repository; the sync test compares parsed JSON, not text.
  execFileSync(join(import.meta.dirname, '../node_modules/.bin/biome'), ['format', '--write', COMMAND_SCHEMA_PATH], {
    stdio: 'ignore',
  });
  process.stdout.write(`wrote ${COMMAND_SCHEMA_PATH}\n`);
}
