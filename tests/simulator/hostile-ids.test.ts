import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitsIdSegment } from '../../sim/template';
import { accounts, simWith } from './fixtures';
import { call } from './sign';

const hostileId = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }).filter(isWellFormed),
  fc.constantFrom('..', '.', '../policies', 'a/b', 'a\\b', 'x\u0000y', '테스트', '%2e%2e', 'ok-title'),
);

function isWellFormed(text: string): boolean {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

describe('hostile ids in paths', () => {
  it('never crash the simulator, and are flagged when they escape their template', async () => {
    const sim = await simWith([
      { provider: 'ncp-object-migration', account: 'ncp-main', id: 'ok-title', name: 'ok-title', state: 'STARTED' },
    ]);

    await fc.assert(
      fc.asyncProperty(hostileId, fc.boolean(), async (id, encode) => {
        // Unencoded: printable ASCII goes raw (so '..' and '/' reach the server as they are), the rest is escaped.
        const segment = encode
          ? encodeURIComponent(id)
          : [...id].map((c) => (/[\x21-\x7e]/.test(c) && !/[?#%]/.test(c) ? c : encodeURIComponent(c))).join('');
        if (segment === '') return;
        const response = await call(sim, accounts.ncp, 'GET', `/migration-api/v1/policy/${segment}`);
        const recorded = sim.requests.at(-1);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what escape
        const escapes = id === '.' || id.includes('..') || /[/\\\u0000-\u001f\u007f]/.test(id);

        expect([200, 404]).toContain(response.status);
        expect(recorded?.escapesTemplate).toBe(escapes);
      }),
      { numRuns: 150 },
    );
  });
});

describe('ids split by a raw slash', () => {
  it.each([
    ['POST', '/v2/fakeprojectoms01/tasks/1/2/stop', true],
    ['POST', '/v3/fake/project/jobs/batch-status', true],
    ['GET', '/v2/fakeprojectdcs01/migration-task/a/stop', true],
    ['POST', '/v2/fakeprojectdcs01/migration-task/a/stop', false],
    ['POST', '/v3/fakeprojectdrs01/jobs/nothing-here', false],
  ])('%s %s escapes: %s', (method, path, expected) => {
    expect(splitsIdSegment(method, path)).toBe(expected);
  });
});
