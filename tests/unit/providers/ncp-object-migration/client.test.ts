import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountConfig } from '../../../../lib/config';
import { SecretError } from '../../../../lib/core/errors';
import { TokenBucket } from '../../../../lib/http/rate-limiter';
import { ncpObjectMigrationAdapter } from '../../../../lib/providers/ncp-object-migration';
import { NcpClient, ncpBaseUrl, parseNcpSecret } from '../../../../lib/providers/ncp-object-migration/client';
import { policyPath } from '../../../../lib/providers/ncp-object-migration/session';
import { signNcpV2 } from '../../../../lib/providers/ncp-object-migration/signer';

const KEYS = { accessKey: 'FAKEACCESSKEY0001', secretKey: 'FAKESECRETKEY0001' };
const http = () => ({
  timeoutMs: 2_000,
  retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
  limiter: new TokenBucket(1_000, 1_000),
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** A one-route server on 127.0.0.1 that records what it is sent and answers with `reply`. */
async function recordingServer(reply: (seen: Seen) => { status: number; body: unknown; headers?: Record<string, string> }) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    seen.push(entry);
    const { status, body, headers } = reply(entry);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function anAccount(overrides: Partial<AccountConfig> = {}): AccountConfig {
  return { name: 'ncp-main', provider: 'ncp-object-migration', region: 'KR', secret: 'env:MP_TEST_NCP', ...overrides };
}

describe('NcpClient', () => {
  it('signs the encoded path and query exactly as sent, with every NCP header', async () => {
    const { url, seen } = await recordingServer(() => ({ status: 200, body: { jobList: [] } }));
    const client = new NcpClient({ baseUrl: url, region: 'KR', credentials: KEYS, http: http(), now: () => 1_700_000_000_000 });

    await client.request({ method: 'POST', path: `${policyPath('테스트')}/pause` });

    const [request] = seen;
    expect(request?.url).toBe('/migration-api/v1/policy/%ED%85%8C%EC%8A%A4%ED%8A%B8/pause');
    expect(request?.headers).toMatchObject({
      'x-ncp-apigw-timestamp': '1700000000000',
      'x-ncp-iam-access-key': KEYS.accessKey,
      'x-ncp-region_code': 'KR',
      'x-ncp-apigw-signature-v2': signNcpV2({ method: 'POST', uri: request?.url ?? '', timestamp: '1700000000000', ...KEYS }),
    });
  });

  it('signs the query string too', async () => {
    const { url, seen } = await recordingServer(() => ({ status: 200, body: {} }));
    const client = new NcpClient({ baseUrl: `${url}/`, region: 'KR', credentials: KEYS, http: http(), now: () => 1 });

    await client.request({ method: 'GET', path: '/migration-api/v1/policies', query: { limit: 100, page: 2 } });

    expect(seen[0]?.url).toBe('/migration-api/v1/policies?limit=100&page=2');
    expect(seen[0]?.headers['x-ncp-apigw-signature-v2']).toBe(
      signNcpV2({ method: 'GET', uri: '/migration-api/v1/policies?limit=100&page=2', timestamp: '1', ...KEYS }),
    );
  });

  it('fails an auth error after one request, with no credential in the message', async () => {
    const { url, seen } = await recordingServer(() => ({
      status: 401,
      body: { error: { errorCode: '200', message: `Authentication Failed for ${KEYS.accessKey}` } },
    }));
    const client = new NcpClient({ baseUrl: url, region: 'KR', credentials: KEYS, http: http() });

    const failure = client.request({ method: 'GET', path: policyPath('photos'), taskId: 'photos' });

    await expect(failure).rejects.toMatchObject({ errorClass: 'auth', providerCode: '200', taskId: 'photos' });
    await expect(failure).rejects.not.toThrow(KEYS.accessKey);
    expect(seen).toHaveLength(1);
  });
});

describe('NCP secret and endpoint', () => {
  it('reads the keys from the secret', () => {
    expect(parseNcpSecret({ ...KEYS, extra: 1 }, 'env:MP_TEST_NCP')).toEqual(KEYS);
  });

  it('names the reference and the missing field, never a value', () => {
    const open = () =>
      ncpObjectMigrationAdapter.open({ account: anAccount(), secret: { accessKey: KEYS.accessKey }, http: http() });

    expect(open).toThrow(SecretError);
    expect(open).toThrow('secret env:MP_TEST_NCP has no field secretKey');
    expect(open).not.toThrow(KEYS.accessKey);
  });

  it('says a field of the wrong type is wrong without showing it', () => {
    const parse = () => parseNcpSecret({ accessKey: 12345, secretKey: KEYS.secretKey }, 'env:MP_TEST_NCP');

    expect(parse).toThrow('secret env:MP_TEST_NCP field accessKey must be a non-empty string');
  });

  it('uses the public endpoint unless the account names another', () => {
    expect(ncpBaseUrl(anAccount())).toBe('https://objectmigration.apigw.ntruss.com');
    expect(ncpBaseUrl(anAccount({ endpoint: 'http://127.0.0.1:9' }))).toBe('http://127.0.0.1:9');
  });
});

describe('policyPath', () => {
  it('keeps any title inside one path segment that decodes back to it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' }).filter((t) => t !== '.' && t !== '..'),
        (title) => {
          const segment = policyPath(title).slice('/migration-api/v1/policy/'.length);
          expect(segment).not.toMatch(/[/?#\\]/);
          expect(decodeURIComponent(segment)).toBe(title);
          expect(new URL(`http://127.0.0.1${policyPath(title)}/pause`).pathname).toBe(`${policyPath(title)}/pause`);
        },
      ),
    );
  });
});
