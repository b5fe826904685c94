import { describe, expect, it } from 'vitest';
import { parseWorkerConcurrency } from '../../../lib/aws/runtime';
import { parseAccounts } from '../../../lib/config';
import { ConfigError } from '../../../lib/core/errors';
import { AccountSessions } from '../../../lib/core/sessions';
import { runnersFor, shareOfRateLimit } from '../../../lib/http/rate-share';
import { createLocalSecretSource } from '../../../lib/local/secrets';
import { adapters } from '../../../lib/providers/registry';

describe('shareOfRateLimit', () => {
  it('gives each of n runners 1/n of the rate and half of 1/n of the burst', () => {
    expect(shareOfRateLimit({ perSecond: 30, burst: 12 }, 3)).toEqual({ perSecond: 10, burst: 2 });
  });

  it('keeps half the burst back even for a single runner', () => {
    expect(shareOfRateLimit({ perSecond: 20, burst: 20 })).toEqual({ perSecond: 20, burst: 10 });
  });

  it('never leaves a runner without a token to send with', () => {
    expect(shareOfRateLimit({ perSecond: 5, burst: 5 }, 10)).toEqual({ perSecond: 0.5, burst: 1 });
  });

  it('keeps every runner together under the account limit, whatever the worker count', () => {
    for (const workers of [1, 2, 3, 7, 50]) {
      const runners = runnersFor(workers);
      const share = shareOfRateLimit({ perSecond: 20, burst: 40 }, runners);
      expect(share.perSecond * runners).toBeLessThanOrEqual(20 + 1e-9);
      expect(share.burst * runners).toBeLessThanOrEqual(Math.max(40, runners));
    }
  });

  it('rejects a runner count that is not a whole number of processes', () => {
    expect(() => shareOfRateLimit({ perSecond: 1, burst: 1 }, 0)).toThrow(RangeError);
    expect(() => shareOfRateLimit({ perSecond: 1, burst: 1 }, 1.5)).toThrow(RangeError);
  });
});

describe('runnersFor', () => {
  it('counts the workers of the queue plus one in-process runner', () => {
    expect(runnersFor(2)).toBe(3);
  });

  it('leaves the whole rate to a process with no workers beside it', () => {
    expect(runnersFor(undefined)).toBe(1);
  });
});

describe('the rate each session paces itself to', () => {
  const accounts = parseAccounts({
    accounts: [
      {
        name: 'drs-a',
        provider: 'huawei-drs',
        region: 'r',
        projectId: 'p',
        secret: 'env:X',
        rateLimit: { perSecond: 12, burst: 12 },
      },
      { name: 'ncp-a', provider: 'ncp-object-migration', region: 'KR', secret: 'env:X', rateLimit: { perSecond: 12, burst: 12 } },
    ],
  }).accounts;

  it("is the account's limit divided among its provider's runners", () => {
    const sessions = new AccountSessions(accounts, adapters, createLocalSecretSource({ env: {} }), {
      runners: { 'huawei-drs': runnersFor(3) },
    });
    // A hand-tuned perSecond is the ceiling as well as the start, and the ceiling is shared like the rate.
    expect(sessions.handle('drs-a')?.capabilities.rateLimit).toEqual({ perSecond: 3, burst: 1, max: 3 });
    expect(sessions.handle('ncp-a')?.capabilities.rateLimit).toEqual({ perSecond: 12, burst: 6, max: 12 });
  });

  it('starts from the adapter default and is capped only by max when the accounts file gives just a max', () => {
    const [capped] = parseAccounts({
      accounts: [{ name: 'ncp-b', provider: 'ncp-object-migration', region: 'KR', secret: 'env:X', rateLimit: { max: 40 } }],
    }).accounts;
    if (!capped) throw new Error('no account');
    const sessions = new AccountSessions([capped], adapters, createLocalSecretSource({ env: {} }), {
      runners: { 'ncp-object-migration': 2 },
    });
    expect(sessions.handle('ncp-b')?.capabilities.rateLimit).toEqual({ perSecond: 2.5, burst: 1, max: 20 });
  });

  it('has no ceiling of its own when the accounts file says nothing: the limiter learns the provider’s', () => {
    const [open] = parseAccounts({
      accounts: [{ name: 'ncp-c', provider: 'ncp-object-migration', region: 'KR', secret: 'env:X' }],
    }).accounts;
    if (!open) throw new Error('no account');
    const sessions = new AccountSessions([open], adapters, createLocalSecretSource({ env: {} }));
    expect(sessions.handle('ncp-c')?.capabilities.rateLimit).toEqual({ perSecond: 5, burst: 2 });
  });

  it('refuses a start above the ceiling', () => {
    expect(() =>
      parseAccounts({
        accounts: [
          {
            name: 'ncp-d',
            provider: 'ncp-object-migration',
            region: 'KR',
            secret: 'env:X',
            rateLimit: { perSecond: 50, max: 40 },
          },
        ],
      }),
    ).toThrow(/invalid accounts file/);
  });
});

describe('MP_WORKER_CONCURRENCY', () => {
  it('reads the maximum concurrency of each provider queue', () => {
    expect(parseWorkerConcurrency('{"huawei-drs":4,"huawei-oms":2}')).toEqual({ 'huawei-drs': 4, 'huawei-oms': 2 });
  });

  it('means no workers when unset', () => {
    expect(parseWorkerConcurrency(undefined)).toEqual({});
  });

  it('refuses anything but whole worker counts per known provider', () => {
    expect(() => parseWorkerConcurrency('{"huawei-drs":0}')).toThrow(ConfigError);
    expect(() => parseWorkerConcurrency('{"gcp-storage-transfer":2}')).toThrow(ConfigError);
    expect(() => parseWorkerConcurrency('not json')).toThrow(ConfigError);
  });
});
