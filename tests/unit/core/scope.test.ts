import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../lib/core/command';
import { accountInScope, globToRegExp, inScope } from '../../../lib/core/scope';
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
    expect(globToRegExp('a.b*').test('a.bcd')).toBe(true);
    expect(globToRegExp('a.b*').test('axbcd')).toBe(false);
    expect(globToRegExp('(x)?').test('(x)1')).toBe(true);
  });
});
