import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandSchema } from '../../../lib/core/command';
import { redriveRequestSchema } from '../../../lib/core/redrive';
import { windowInputSchema } from '../../../lib/core/window';
import { workMessageSchema } from '../../../lib/core/work';

const root = join(import.meta.dirname, '../../..');
const read = (name: string): unknown => JSON.parse(readFileSync(join(root, 'events', name), 'utf8'));
const bodies = (name: string): unknown[] =>
  (read(name) as { Records: { body: string }[] }).Records.map((r) => JSON.parse(r.body) as unknown);

/** Each sample event, checked by the schema its handler parses it with, so samples cannot go stale. */
const samples: Record<string, () => void> = {
  'window.json': () => expect(windowInputSchema.safeParse(read('window.json')).success).toBe(true),
  'incident.json': () => expect(commandSchema.safeParse(read('incident.json')).success).toBe(true),
  'commands.json': () => expect(bodies('commands.json').map((b) => commandSchema.safeParse(b).success)).toEqual([true, false]),
  'worker.json': () => {
    for (const body of bodies('worker.json')) expect(workMessageSchema.safeParse(body).error).toBeUndefined();
  },
  'redrive.json': () => expect(redriveRequestSchema.safeParse(read('redrive.json')).success).toBe(true),
};

describe('the sample events', () => {
  for (const [name, check] of Object.entries(samples)) {
    it(`${name} is what its function accepts`, check);
  }

  it('exist for every function, and only for functions', () => {
    const functions = readdirSync(join(root, 'functions')).map((f) => f.replace(/\.ts$/, '.json'));
    const events = readdirSync(join(root, 'events'));

    expect(events.sort()).toEqual(Object.keys(samples).sort());
    expect(functions.sort()).toEqual(Object.keys(samples).sort());
  });
});
