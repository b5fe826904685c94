import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../lib/core/errors';
import { backoffDelay, classifyStatus, type HttpRequest, retryAfterMs, sendProviderRequest } from '../../../lib/http/client';
import { type RequestLimiter, TokenBucket } from '../../../lib/http/rate-limiter';

describe('backoffDelay', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('draws from a window that doubles per attempt and is capped', () => {
    expect(backoffDelay(policy, 1, undefined, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 3, undefined, () => 0.999)).toBe(399);
    expect(backoffDelay(policy, 9, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 3, undefined, () => 0)).toBe(0);
  });

  it('never waits less than the provider asked for', () => {
    expect(backoffDelay(policy, 1, 2_000, () => 0.5)).toBe(2_000);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3_000);
    const now = Date.parse('2026-11-28T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sat, 28 Nov 2026 00:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe('classifyStatus', () => {
  it.each([
    [429, 'throttled'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [409, 'invalid-state'],
    [400, 'bad-request'],
    [500, 'retryable'],
    [503, 'retryable'],
  ] as const)('maps HTTP %i to %s', (status, errorClass) => {
    expect(classifyStatus(status)).toBe(errorClass);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      10,
      2,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );

    for (let i = 0; i < 4; i++) await bucket.take();

    expect(waits).toEqual([100, 100]);
    expect(now).toBe(200);
  });

  it('sends nothing while held after a 429', async () => {
    let now = 0;
    const bucket = new TokenBucket(
      100,
      100,
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    bucket.holdFor(2_000);

    await bucket.take();

    expect(now).toBeGreaterThanOrEqual(2_000);
  });
});

describe('sendProviderRequest and actions whose answer is lost', () => {
  /** A server on 127.0.0.1 that counts requests and drops the connection of the first `drops` of them. */
  const dropping = (drops: number) =>
    countingServer((seen, req, res) => {
      if (seen <= drops) req.socket.destroy();
      else res.end('{}');
    });
  const settings = {
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    limiter: new TokenBucket(1_000, 100),
  };
  const call = (action: boolean) => ({
    provider: 'test',
    action,
    sign: (r: HttpRequest) => r,
    toError: () => new ProviderError('refused', { errorClass: 'bad-request', provider: 'test' }),
  });

  it('never sends an action again after its connection dropped: it may have been carried out', async () => {
    const server = await dropping(1);
    try {
      const sent = sendProviderRequest(settings, call(true), { method: 'POST', url: server.url, headers: {} });
      await expect(sent).rejects.toMatchObject({ errorClass: 'retryable', maybeApplied: true, attempts: 1 });
      expect(server.count()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('retries a read whose connection dropped', async () => {
    const server = await dropping(1);
    try {
      const response = await sendProviderRequest(settings, call(false), { method: 'POST', url: server.url, headers: {} });
      expect(response.attempts).toBe(2);
      expect(server.count()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('retries an action whose connection was refused: it never reached the provider', async () => {
    const server = await dropping(0);
    const url = server.url;
    await server.close();
    const sent = sendProviderRequest(settings, call(true), { method: 'POST', url, headers: {} });
    await expect(sent).rejects.toMatchObject({ errorClass: 'retryable', attempts: 3 });
    await expect(sent).rejects.not.toMatchObject({ maybeApplied: true });
  });
});

describe('sendProviderRequest and a Retry-After', () => {
  /** A server on 127.0.0.1 answering every request 429 with this Retry-After. */
  const throttling = (retryAfter: string) =>
    countingServer((_seen, _req, res) => {
      res.writeHead(429, { 'retry-after': retryAfter }).end('{}');
    });
  const call = {
    provider: 'test',
    sign: (r: HttpRequest) => r,
    toError: (response: { status: number; headers: Headers }) =>
      new ProviderError('slow down', {
        errorClass: classifyStatus(response.status),
        provider: 'test',
        retryAfterMs: retryAfterMs(response.headers),
      }),
  };

  it('does not sleep for a day when asked to: the request fails throttled at once, and the account waits a minute at most', async () => {
    const server = await throttling('86400');
    let now = 0;
    const limiter = new TokenBucket(1_000, 100, () => now);
    const slept: number[] = [];
    try {
      const settings = {
        timeoutMs: 2_000,
        retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
        limiter,
        sleep: async (ms: number) => {
          slept.push(ms);
        },
      };
      const sent = sendProviderRequest(settings, call, { method: 'GET', url: server.url, headers: {} });
      await expect(sent).rejects.toMatchObject({ errorClass: 'throttled', attempts: 1 });
      await expect(sent).rejects.toThrow(/asked to wait 86400 s, more than the 60 s any run waits/);
      await expect(sent).rejects.not.toMatchObject({ outOfTime: true });
      expect(server.count()).toBe(1);
      expect(slept).toEqual([]);
      // The account is held for the ceiling, not for the day.
      now = 60_001;
      await limiter.take();
    } finally {
      await server.close();
    }
  });

  it('waits no longer than the time the run has left, and says it is the run’s time that is short', async () => {
    const server = await throttling('20');
    try {
      const settings = {
        timeoutMs: 2_000,
        retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
        limiter: new TokenBucket(1_000, 100),
        timeLeftMs: () => 5_000,
      };
      const sent = sendProviderRequest(settings, call, { method: 'GET', url: server.url, headers: {} });
      await expect(sent).rejects.toThrow(/asked to wait 20 s, past this run's time/);
      await expect(sent).rejects.toMatchObject({ errorClass: 'throttled', outOfTime: true });
    } finally {
      await server.close();
    }
  });
});

describe('sendProviderRequest and the account’s limiter', () => {
  /** A limiter that lets everything through and writes down what the client told it. */
  const recording = () => {
    const answers: boolean[] = [];
    const holds: number[] = [];
    const limiter: RequestLimiter = {
      take: async () => 0,
      holdFor: (ms) => {
        holds.push(ms);
      },
      answered: (_sentAt, throttled) => {
        answers.push(throttled);
      },
    };
    // Quick retries that never sleep, through this limiter.
    const settings = {
      timeoutMs: 2_000,
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
      limiter,
      sleep: async () => {},
    };
    return { settings, answers, holds };
  };
  const call = {
    provider: 'test',
    sign: (r: HttpRequest) => r,
    toError: (response: { status: number; headers: Headers }) =>
      new ProviderError('answered', {
        errorClass: response.status === 400 ? 'throttled' : classifyStatus(response.status),
        provider: 'test',
        retryAfterMs: retryAfterMs(response.headers),
      }),
  };

  it('tells the limiter which answers were throttles, as the adapter classified them (a 400 throttling code too)', async () => {
    // NCP answers some throttles 400 with code 400/410/420: the adapter's class decides, not the HTTP status.
    const server = await countingServer((seen, _req, res) => {
      if (seen === 1) res.writeHead(429).end('{}');
      else if (seen === 2) res.writeHead(400).end('{}');
      else if (seen === 3) res.writeHead(404).end('{}');
      else res.end('{}');
    });
    const { settings, answers, holds } = recording();
    try {
      const first = sendProviderRequest(settings, call, { method: 'GET', url: server.url, headers: {} });
      await expect(first).rejects.toMatchObject({ errorClass: 'not-found', attempts: 3 });
      expect(answers).toEqual([true, true, false]);

      await sendProviderRequest(settings, call, { method: 'GET', url: server.url, headers: {} });
      expect(answers).toEqual([true, true, false, false]);
      // No Retry-After: the cut is the account's answer; nothing holds the whole account.
      expect(holds).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('holds the whole account only when the provider says for how long (Retry-After)', async () => {
    const server = await countingServer((seen, _req, res) => {
      if (seen === 1) res.writeHead(429, { 'retry-after': '3' }).end('{}');
      else res.end('{}');
    });
    const { settings, answers, holds } = recording();
    try {
      await sendProviderRequest(settings, call, { method: 'GET', url: server.url, headers: {} });

      expect(answers).toEqual([true, false]);
      expect(holds).toEqual([3_000]);
    } finally {
      await server.close();
    }
  });

  it('tells the limiter nothing about a request that got no answer', async () => {
    const server = await countingServer((seen, req, res) => {
      if (seen === 1) req.socket.destroy();
      else res.end('{}');
    });
    const { settings, answers } = recording();
    try {
      await sendProviderRequest(settings, call, { method: 'GET', url: server.url, headers: {} });

      expect(answers).toEqual([false]);
    } finally {
      await server.close();
    }
  });
});

/** A server on 127.0.0.1 that counts the requests it gets and answers each as `answer` says. */
async function countingServer(
  answer: (seen: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: URL; count: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const server = createServer((req, res) => {
    seen += 1;
    answer(seen, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/x`),
    count: () => seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
