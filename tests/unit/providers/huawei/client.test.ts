import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountConfig } from '../../../../lib/config';
import { ProviderError, SecretError } from '../../../../lib/core/errors';
import type { HttpSettings } from '../../../../lib/http/client';
import { TokenBucket } from '../../../../lib/http/rate-limiter';
import { HuaweiClient, type HuaweiCredentials, huaweiBaseUrl, parseHuaweiSecret } from '../../../../lib/providers/huawei/client';
import { canonicalRequest, computeSignature } from '../../../../lib/providers/huawei/signer';

const KEYS: HuaweiCredentials = { ak: 'FAKEACCESSKEY0001', sk: 'FAKESECRETKEY0001' };

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

type Reply = { status: number; body?: unknown };

let server: Server | undefined;

afterEach(async () => {
  const open = server;
  server = undefined;
  if (open) await new Promise((resolve) => open.close(resolve));
});

/** A 127.0.0.1 server answering each request with the next reply (the last one repeats). */
async function aServer(replies: Reply[]): Promise<{ baseUrl: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers, body });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)] ?? { status: 200 };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, seen };
}

function httpSettings(): HttpSettings {
  return {
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    limiter: new TokenBucket(1_000, 1_000),
    sleep: async () => undefined,
  };
}

function aClient(baseUrl: string, credentials: HuaweiCredentials = KEYS): HuaweiClient {
  return new HuaweiClient({ provider: 'huawei-drs', baseUrl, projectId: 'proj0001', credentials, http: httpSettings() });
}

/** Recomputes the signature the way the gateway does, from what actually arrived. */
function verifySignature(request: Seen, baseUrl: string, sk: string): boolean {
  const authorization = request.headers.authorization ?? '';
  const match = /SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(authorization);
  if (!match?.[1] || !match[2]) return false;
  const canonical = canonicalRequest(
    { method: request.method, url: new URL(request.url, baseUrl), headers: request.headers, body: request.body },
    match[1].split(';'),
  );
  return computeSignature(sk, canonical, request.headers['x-sdk-date'] ?? '') === match[2];
}

describe('HuaweiClient', () => {
  it('sends signed JSON with the project id and returns the parsed body', async () => {
    // Prepare
    const { baseUrl, seen } = await aServer([{ status: 200, body: { results: [], count: 0 } }]);

    // Act
    const response = await aClient(`${baseUrl}/prefix/`).request({
      method: 'POST',
      path: '/v3/proj0001/jobs/batch-status',
      query: { limit: 10, skipped: undefined, name: 'a b' },
      body: { jobs: ['x'] },
    });

    // Assess
    expect(response).toEqual({ status: 200, json: { results: [], count: 0 }, attempts: 1 });
    const [request] = seen;
    expect(request?.url).toBe('/prefix/v3/proj0001/jobs/batch-status?limit=10&name=a%20b');
    expect(request?.body).toBe('{"jobs":["x"]}');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-project-id']).toBe('proj0001');
    expect(request?.headers['x-security-token']).toBeUndefined();
    expect(request?.headers.authorization).toContain(
      'Access=FAKEACCESSKEY0001, SignedHeaders=content-type;host;x-project-id;x-sdk-date,',
    );
    expect(request && verifySignature(request, baseUrl, KEYS.sk)).toBe(true);
  });

  it('sends and signs X-Security-Token for temporary credentials', async () => {
    const { baseUrl, seen } = await aServer([{ status: 200 }]);

    const response = await aClient(baseUrl, { ...KEYS, securityToken: 'FAKESECURITYTOKEN' }).request({
      method: 'GET',
      path: '/v2/proj0001/tasks',
    });

    expect(response.json).toBeUndefined();
    expect(seen[0]?.headers['x-security-token']).toBe('FAKESECURITYTOKEN');
    expect(seen[0]?.headers.authorization).toContain('x-security-token');
    expect(seen[0] && verifySignature(seen[0], baseUrl, KEYS.sk)).toBe(true);
  });

  it('fails an auth error after exactly one request and keeps keys out of the message', async () => {
    // Prepare
    const { baseUrl, seen } = await aServer([
      { status: 401, body: { error_code: 'APIG.0301', error_msg: 'signature of FAKEACCESSKEY0001 does not match' } },
    ]);

    // Act
    const error = await aClient(baseUrl)
      .request({ method: 'POST', path: '/v3/proj0001/jobs', body: {}, taskId: 'job-1' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ errorClass: 'auth', providerCode: 'APIG.0301', taskId: 'job-1', attempts: 1 });
    expect((error as ProviderError).message).not.toContain('FAKEACCESSKEY0001');
    expect(seen).toHaveLength(1);
  });

  it('retries a server error and reports the attempts it took', async () => {
    const { baseUrl, seen } = await aServer([
      { status: 503, body: { error_code: 'DRS.0001', error_msg: 'busy' } },
      { status: 200, body: {} },
    ]);

    const response = await aClient(baseUrl).request({ method: 'GET', path: '/v3/proj0001/jobs' });

    expect(response.attempts).toBe(2);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.headers['x-sdk-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('classifies service codes with the classifier it was given', async () => {
    const { baseUrl } = await aServer([{ status: 400, body: { error_code: 'OMS.1009', error_msg: 'no task' } }]);
    const client = new HuaweiClient({
      provider: 'huawei-oms',
      baseUrl,
      projectId: 'proj0001',
      credentials: KEYS,
      http: httpSettings(),
      classifyCode: (code) => (code === 'OMS.1009' ? 'not-found' : undefined),
    });

    await expect(client.request({ method: 'GET', path: '/v2/proj0001/tasks/1' })).rejects.toMatchObject({
      errorClass: 'not-found',
      status: 400,
    });
  });
});

describe('parseHuaweiSecret', () => {
  it('reads ak, sk and the optional token and project id', () => {
    expect(parseHuaweiSecret({ ak: 'A', sk: 'S', securityToken: 'T', projectId: 'P', oms: {} }, 'env:X')).toEqual({
      ak: 'A',
      sk: 'S',
      securityToken: 'T',
      projectId: 'P',
    });
  });

  it('names the missing field and the reference, never a value', () => {
    const error = (() => {
      try {
        parseHuaweiSecret({ ak: 'FAKEACCESSKEY0001' }, 'env:MP_DRS');
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).message).toMatch(
      /^secret env:MP_DRS has no field sk — set MP_DRS to one JSON object holding ak, sk/,
    );
    expect((error as SecretError).secretRef).toBe('env:MP_DRS');
  });

  it('says a field is malformed without echoing it', () => {
    expect(() => parseHuaweiSecret({ ak: 'FAKEACCESSKEY0001', sk: 12345 }, 'env:MP_DRS')).toThrow(
      /^secret env:MP_DRS field sk must be a non-empty string/,
    );
  });
});

describe('huaweiBaseUrl', () => {
  const account: AccountConfig = {
    name: 'drs-main',
    provider: 'huawei-drs',
    region: 'ap-southeast-1',
    projectId: 'p',
    secret: 'env:X',
  };

  it('builds the public regional endpoint', () => {
    expect(huaweiBaseUrl('drs', account)).toBe('https://drs.ap-southeast-1.myhuaweicloud.com');
  });

  it('prefers the account endpoint', () => {
    expect(huaweiBaseUrl('dcs', { ...account, endpoint: 'http://127.0.0.1:9000/huawei-dcs' })).toBe(
      'http://127.0.0.1:9000/huawei-dcs',
    );
  });
});
