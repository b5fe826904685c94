import { describe, expect, it } from 'vitest';
import { canonicalRequest, huaweiSignature, sha256Hex, verifyHuaweiRequest } from '../../sim/huawei-signature';
import { ncpSignature, verifyNcpRequest } from '../../sim/ncp-signature';

describe('the simulator verifies NCP signature v2', () => {
  const vectors = [
    ['POST', '/migration-api/v1/policy/migrationpolicy/pause', 'vd/gHr75z30BcVIaDEqiiWkmKmQp0vyI+zfVfvchBYo='],
    ['GET', '/migration-api/v1/policies?order=title&sortBy=asc&limit=3&page=0', 's5IOGdJ5KBP/X+I4xO6/LfB0PnP1dxeDWTKnYDo5wFY='],
    ['POST', '/migration-api/v1/policy/%ED%85%8C%EC%8A%A4%ED%8A%B8/pause', '6rOqJ8kFgelFrXD9FVGOcfRPp0V/SdD+t44pM8dJTGE='],
  ] as const;

  it.each(vectors)('computes the providers.md vector for %s %s', (method, uri, expected) => {
    expect(ncpSignature('EXAMPLESECRETKEY', method, uri, '1700000000000', 'EXAMPLEACCESSKEY')).toBe(expected);
  });

  it('accepts the vector at its own time and refuses it six minutes later', () => {
    const [method, uri, signature] = vectors[0];
    const headers = {
      'x-ncp-apigw-timestamp': '1700000000000',
      'x-ncp-iam-access-key': 'EXAMPLEACCESSKEY',
      'x-ncp-apigw-signature-v2': signature,
    };

    expect(verifyNcpRequest({ method, uri, headers }, 'EXAMPLESECRETKEY', 1_700_000_000_000 + 4 * 60_000)).toBe(true);
    expect(verifyNcpRequest({ method, uri, headers }, 'EXAMPLESECRETKEY', 1_700_000_000_000 + 6 * 60_000)).toBe(false);
    expect(verifyNcpRequest({ method, uri: `${uri}?x=1`, headers }, 'EXAMPLESECRETKEY', 1_700_000_000_000)).toBe(false);
  });
});

describe('the simulator verifies Huawei SDK-HMAC-SHA256', () => {
  it("reproduces the signing guide's canonical request hash and signature", () => {
    const headers = { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': '20191115T033655Z' };
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
      query: 'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      headers,
      signedHeaders: ['content-type', 'host', 'x-sdk-date'],
      body: '',
    });

    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(huaweiSignature('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', '20191115T033655Z', canonical)).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it.each([
    ['GET', 'limit=1', '', '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624'],
    ['POST', 'key=value', '{"Name":"test","Id":1}\n', 'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59'],
  ])('reproduces the SDK vector for %s /path?%s', (method, query, body, expected) => {
    const canonical = canonicalRequest({
      method,
      path: '/path',
      query,
      headers: { 'x-sdk-date': '20060102T150405Z', host: 'example.huaweicloud.com' },
      signedHeaders: ['x-sdk-date'],
      body,
    });

    expect(huaweiSignature('SecretKey', '20060102T150405Z', canonical)).toBe(expected);
  });

  it('refuses a correct signature that leaves host unsigned, and a date 16 minutes old', () => {
    const headers = { host: 'example.huaweicloud.com', 'x-sdk-date': '20060102T150405Z' };
    const at = Date.UTC(2006, 0, 2, 15, 4, 5);
    const sign = (signed: string[]) =>
      huaweiSignature(
        'SecretKey',
        '20060102T150405Z',
        canonicalRequest({ method: 'GET', path: '/path', query: '', headers, signedHeaders: signed, body: '' }),
      );
    const request = { method: 'GET', path: '/path', query: '', headers, body: Buffer.alloc(0) };

    const good = verifyHuaweiRequest(
      request,
      { accessKey: 'AccessKey', signedHeaders: ['host', 'x-sdk-date'], signature: sign(['host', 'x-sdk-date']) },
      'SecretKey',
      at,
    );
    const hostUnsigned = verifyHuaweiRequest(
      request,
      { accessKey: 'AccessKey', signedHeaders: ['x-sdk-date'], signature: sign(['x-sdk-date']) },
      'SecretKey',
      at,
    );
    const stale = verifyHuaweiRequest(
      request,
      { accessKey: 'AccessKey', signedHeaders: ['host', 'x-sdk-date'], signature: sign(['host', 'x-sdk-date']) },
      'SecretKey',
      at + 16 * 60_000,
    );

    expect(good).toEqual({ ok: true });
    expect(hostUnsigned.ok).toBe(false);
    expect(stale.ok).toBe(false);
  });
});
