import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../lib/config';
import { chunkConcurrency, chunkPlan, forWorkQueues, runChunks } from '../../../lib/core/dispatch';
import { AccountSessions, type AdapterRegistry } from '../../../lib/core/sessions';
import type { PlannedTarget } from '../../../lib/core/types';
import { createLocalSecretSource } from '../../../lib/local/secrets';
import type { Capabilities, ProviderAdapter } from '../../../lib/providers/types';
import { aTarget, aTask } from '../../helpers/factories';

function fakeAdapter(key: ProviderAdapter['key'], batchLimit: number): ProviderAdapter {
  const capabilities: Capabilities = {
    batchLimit,
    confirm: { intervalMs: 1, deadlineMs: 1 },
    rateLimit: { perSecond: 1, burst: 1 },
    describe: key,
  };
  return {
    key,
    capabilities,
    open: () => {
      throw new Error('not used');
    },
  };
}

const registry = {
  'ncp-object-migration': fakeAdapter('ncp-object-migration', 1),
  'huawei-drs': fakeAdapter('huawei-drs', 20),
  'huawei-oms': fakeAdapter('huawei-oms', 1),
  'huawei-dcs': fakeAdapter('huawei-dcs', 50),
  'aws-dms': fakeAdapter('aws-dms', 1),
} satisfies AdapterRegistry;

const accounts = parseAccounts({
  accounts: [
    { name: 'drs-a', provider: 'huawei-drs', region: 'r', projectId: 'p', secret: 'env:X' },
    { name: 'drs-b', provider: 'huawei-drs', region: 'r', projectId: 'p', secret: 'env:X', batchSize: 5 },
  ],
}).accounts;

function acting(account: string, n: number): PlannedTarget[] {
  return Array.from({ length: n }, (_, i) => {
    const task = aTask({ provider: 'huawei-drs', account, taskId: `${account}-${i}` });
    return { target: aTarget({ provider: 'huawei-drs', account, taskId: task.taskId }), decision: { kind: 'act', task } };
  });
}

describe('chunkPlan', () => {
  const sessions = new AccountSessions(accounts, registry, createLocalSecretSource({ env: {} }));

  it('splits per account at the provider batch limit, or the account batch size when smaller', () => {
    const chunks = chunkPlan([...acting('drs-a', 45), ...acting('drs-b', 12)], sessions);

    expect(chunks.map((c) => `${c.account.config.name}:${c.items.length}`)).toEqual([
      'drs-a:20',
      'drs-a:20',
      'drs-a:5',
      'drs-b:5',
      'drs-b:5',
      'drs-b:2',
    ]);
  });

  it('leaves settled targets out of every chunk', () => {
    const settled: PlannedTarget = {
      target: aTarget({ provider: 'huawei-drs', account: 'drs-a' }),
      decision: { kind: 'settled', outcome: 'skipped', reason: 'done' },
    };
    expect(chunkPlan([settled], sessions)).toEqual([]);
  });
});

describe('runChunks', () => {
  const sessions = new AccountSessions(accounts, registry, createLocalSecretSource({ env: {} }));

  it('runs every chunk once, never more than the per-account limit at a time', async () => {
    const chunks = chunkPlan([...acting('drs-a', 100), ...acting('drs-b', 20)], sessions);
    const inFlight = new Map<string, number>();
    let peak = 0;

    const results = await runChunks(chunks, 2, async (chunk) => {
      const name = chunk.account.config.name;
      inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
      peak = Math.max(peak, inFlight.get(name) ?? 0);
      await new Promise((r) => setTimeout(r, 2));
      inFlight.set(name, (inFlight.get(name) ?? 0) - 1);
      return chunk.items.length;
    });

    expect(results.reduce((a, b) => a + b, 0)).toBe(120);
    expect(peak).toBe(2);
  });
});

describe('chunkConcurrency', () => {
  const handle = (perSecond: number, intervalMs: number) => {
    const account = parseAccounts({
      accounts: [
        {
          name: 'ncp-a',
          provider: 'ncp-object-migration',
          region: 'KR',
          secret: 'env:X',
          rateLimit: { perSecond, burst: Math.max(1, Math.floor(perSecond)) },
          confirm: { intervalMs, deadlineMs: 60_000 },
        },
      ],
    }).accounts;
    const found = new AccountSessions(account, registry, createLocalSecretSource({ env: {} })).handle('ncp-a');
    if (!found) throw new Error('no handle');
    return found;
  };

  it('keeps enough chunks in flight that the rate budget never idles through a confirm interval', () => {
    // 20 requests/s while each chunk sleeps 2 s between its call and its read-back: 2 × 20 × 3 s of calls queued.
    expect(chunkConcurrency(handle(20, 2_000))).toBe(120);
  });

  it('never runs fewer than 8 chunks of an account at once', () => {
    expect(chunkConcurrency(handle(0.5, 100))).toBe(8);
  });
});

describe('runChunks with a per-account limit', () => {
  const sessions = new AccountSessions(accounts, registry, createLocalSecretSource({ env: {} }));

  it('asks each account for its own limit', async () => {
    const chunks = chunkPlan([...acting('drs-a', 100), ...acting('drs-b', 20)], sessions);
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();

    await runChunks(
      chunks,
      (account) => (account.config.name === 'drs-a' ? 3 : 1),
      async (chunk) => {
        const name = chunk.account.config.name;
        inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
        peak.set(name, Math.max(peak.get(name) ?? 0, inFlight.get(name) ?? 0));
        await new Promise((r) => setTimeout(r, 2));
        inFlight.set(name, (inFlight.get(name) ?? 0) - 1);
      },
    );

    expect(Object.fromEntries(peak)).toEqual({ 'drs-a': 3, 'drs-b': 1 });
  });
});

describe('forWorkQueues', () => {
  it('regroups an account’s chunks into messages of at most the given size, keeping phases apart', () => {
    const sessions = new AccountSessions(accounts, registry, createLocalSecretSource({ env: {} }));
    const account = sessions.all()[0];
    if (!account) throw new Error('expected an account');
    const item = (i: number) => ({ target: aTarget({ taskId: `t${i}` }), task: aTask({ taskId: `t${i}` }) });
    const chunks = [
      ...Array.from({ length: 7 }, (_, i) => ({ account, items: [item(i)] })),
      { account, items: [item(7), item(8)], phase: 'hold' as const },
    ];

    const messages = forWorkQueues(chunks, 3);

    expect(messages.map((m) => [m.phase ?? 'act', m.items.length])).toEqual([
      ['act', 3],
      ['act', 3],
      ['act', 1],
      ['hold', 2],
    ]);
    expect(messages.flatMap((m) => m.items.map((i) => i.target.taskId))).toEqual([
      't0',
      't1',
      't2',
      't3',
      't4',
      't5',
      't6',
      't7',
      't8',
    ]);
  });
});
