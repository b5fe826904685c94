import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../lib/core/command';
import { accountInScope, globMatches, inScope } from '../../../lib/core/scope';
import { aTask } from '../../helpers/factories';

const scopeOf = (scope: unknown) => parseCommand({ action: 'pause', scope, reason: 'r' }).scope;

describe('scope', () => {
  const drsTask = aTask({ provider: 'huawei-drs', account: 'drs-a', taskId: 'job-1', name: 'orders-db' });

  it('selects everything with all: true', () => {
    expect(inScope(drsTask, scopeOf({ all: true }))).toBe(true);
  });

  it('requires every given selector to match', () => {
    expect(inScope(drsTask, scopeOf({ providers: ['huawei-drs'], namePattern: 'orders-*' }))).toBe(true);
    expect(inScope(drsTask, scopeOf({ providers: ['huawei-drs'], namePattern: 'billing-*' }))).toBe(false);
  });

  it('excludes a task that matches any one exclusion', () => {
    const scope = scopeOf({ all: true, exclude: { taskIds: ['other'], namePattern: 'orders-?b' } });
    expect(inScope(drsTask, scope)).toBe(false);
  });

  it('skips listing accounts the scope cannot reach', () => {
    expect(accountInScope({ provider: 'huawei-oms', name: 'oms-a' }, scopeOf({ providers: ['huawei-drs'] }))).toBe(false);
    expect(
      accountInScope({ provider: 'huawei-drs', name: 'drs-a' }, scopeOf({ all: true, exclude: { accounts: ['drs-a'] } })),
    ).toBe(false);
    expect(accountInScope({ provider: 'huawei-drs', name: 'drs-a' }, scopeOf({ taskIds: ['x'] }))).toBe(true);
  });

  it('treats glob characters literally except * and ?', () => {
    expect(globMatches('a.b*', 'a.bcd')).toBe(true);
    expect(globMatches('a.b*', 'axbcd')).toBe(false);
    expect(globMatches('(x)?', '(x)1')).toBe(true);
  });

  it('matches exactly what the equivalent anchored regular expression matches', () => {
    const reference = (pattern: string) =>
      new RegExp(
        `^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`,
        'su',
      );
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.', '한'), maxLength: 12 });
    fc.assert(
      fc.property(text, fc.string({ unit: fc.constantFrom('a', 'b', '.', '한'), maxLength: 12 }), (pattern, name) => {
        expect(globMatches(pattern, name)).toBe(reference(pattern).test(name));
      }),
    );
  });

  // A regular expression of `.*` runs takes minutes here (it timed out the Lambda); a hang fails by the test timeout.
  it('answers a pattern of many stars against a long name (no catastrophic backtracking)', () => {
    expect(globMatches('*a*a*a*a*a*a*a*b', 'a'.repeat(5_000))).toBe(false);
    expect(globMatches('*a*a*a*a*a*a*a*b', `${'a'.repeat(5_000)}b`)).toBe(true);
  });
});
