import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../lib/core/command';
import { CommandValidationError } from '../../../lib/core/errors';
import { buildCommandJsonSchema } from '../../../scripts/write-command-schema';
import {
  buildEventsJsonSchema,
  buildWindowsJsonSchema,
  EVENTS_SCHEMA_PATH,
  WINDOWS_SCHEMA_PATH,
} from '../../../scripts/write-schemas';

describe('the published windows and events JSON Schemas', () => {
  it.each([
    ['docs/windows.schema.json', WINDOWS_SCHEMA_PATH, buildWindowsJsonSchema],
    ['docs/events.schema.json', EVENTS_SCHEMA_PATH, buildEventsJsonSchema],
  ])('%s matches the zod schema it is generated from (run npm run schema when this fails)', async (name, path, build) => {
    expect(JSON.parse(await readFile(path, 'utf8')), `${name} is stale: run npm run schema`).toEqual(build());
  });

  it('give each schema a versioned $id', () => {
    expect(buildCommandJsonSchema().$id).toBe('urn:migration-pauser:schema:command:1');
    expect(buildWindowsJsonSchema().$id).toBe('urn:migration-pauser:schema:windows:1');
    expect(buildEventsJsonSchema().$id).toBe('urn:migration-pauser:schema:events:1');
  });
});

describe('a Command’s version', () => {
  it('may be stated; a later version is refused, not misread', () => {
    const command = { action: 'pause', scope: { all: true }, reason: 'r' };
    expect(parseCommand({ ...command, version: 1 }).version).toBe(1);
    expect(parseCommand(command).version).toBeUndefined();
    expect(() => parseCommand({ ...command, version: 2 })).toThrow(CommandValidationError);
  });
});
