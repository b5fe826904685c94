import { describe, expect, it } from 'vitest';
import { invalidInputFailure, MAX_RECEIVED_BYTES, parseJsonBody, truncateUtf8 } from '../../../lib/aws/invalid-input';

const AT = new Date('2026-11-28T00:00:00Z');

describe('an invalid input on the failures queue', () => {
  it('carries the issues, what was received and when', () => {
    expect(invalidInputFailure([{ path: 'action', message: 'Invalid option' }], '{"action":"stop"}', AT)).toEqual({
      kind: 'invalid-command',
      issues: [{ path: 'action', message: 'Invalid option' }],
      received: '{"action":"stop"}',
      failedAt: '2026-11-28T00:00:00.000Z',
    });
  });

  it('keeps at most 2 KB of what was received', () => {
    const failure = invalidInputFailure([], 'x'.repeat(100_000), AT);

    expect(failure.kind === 'invalid-command' && failure.received.length).toBe(MAX_RECEIVED_BYTES);
  });

  it('serialises an event object it received', () => {
    const failure = invalidInputFailure([], { action: 'stop' }, AT);

    expect(failure.kind === 'invalid-command' && failure.received).toBe('{"action":"stop"}');
  });

  it('never cuts a character in half', () => {
    const cut = truncateUtf8('테스트'.repeat(1000), 100);

    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(100);
    expect(cut).toBe('테스트'.repeat(11));
  });

  it('reports a body that is not JSON without quoting it', () => {
    expect(parseJsonBody('{"secretKey": "FAKE')).toEqual({ ok: false, issues: [{ path: '(body)', message: 'not valid JSON' }] });
  });
});
