import { describe, expect, it } from 'vitest';
import {
  canonicalRequest,
  computeSignature,
  formatSdkDate,
  sha256Hex,
  signHuaweiRequest,
} from '../../../../lib/providers/huawei/signer';

describe('Huawei SDK-HMAC-SHA256 signer', () => {
  it('reproduces the published vector from the signing guide', () => {
    // Prepare
    const url = new URL(
      'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    );
    const headers = { 'Content-Type': 'application/json', Host: 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' };

    // Act
    const canonical = canonicalRequest({ method: 'GET', url, headers, body: '' }, ['content-type', 'host', 'x-sdk-date']);
    const signature = computeSignature('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', canonical, '20191115T033655Z');

    // Assess
    expect(sha256Hex(canonical)).toBe('b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
  });

  it.each([
    [
      'GET',
      'https://example.huaweicloud.com/path?limit=1',
      '',
      '5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    ],
    [
      'POST',
      'https://example.huaweicloud.com/path?key=value',
      '{"Name":"test","Id":1}\n',
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    ],
  ])('reproduces the SDK vector for %s %s', (method, url, body, expected) => {
    const canonical = canonicalRequest({ method, url: new URL(url), headers: { 'X-Sdk-Date': '20060102T150405Z' }, body }, [
      'x-sdk-date',
    ]);

    expect(computeSignature('SecretKey', canonical, '20060102T150405Z')).toBe(expected);
  });

  it('signs the published request end to end with the same signature', () => {
    // Prepare
    const url = new URL(
      'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
    );

    // Act
    const headers = signHuaweiRequest(
      { method: 'GET', url, headers: { 'Content-Type': 'application/json' }, body: '' },
      { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' },
      new Date('2019-11-15T03:36:55Z'),
    );

    // Assess
    expect(headers['X-Sdk-Date']).toBe('20191115T033655Z');
    expect(headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it('signs x-project-id and x-security-token when they are sent', () => {
    const headers = signHuaweiRequest(
      {
        method: 'POST',
        url: new URL('http://127.0.0.1:8080/v3/proj/jobs'),
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'proj', 'X-Security-Token': 'FAKETOKEN' },
        body: '{}',
      },
      { ak: 'FAKEACCESSKEY0001', sk: 'FAKESECRETKEY0001' },
      new Date('2026-01-02T03:04:05Z'),
    );

    expect(headers.Authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=FAKEACCESSKEY0001, SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('signs the host with its port, as fetch sends it', () => {
    const canonical = canonicalRequest(
      { method: 'GET', url: new URL('http://127.0.0.1:8080/v1/x'), headers: { 'X-Sdk-Date': '20260102T030405Z' }, body: '' },
      ['host', 'x-sdk-date'],
    );

    expect(canonical.split('\n')[3]).toBe('host:127.0.0.1:8080');
  });

  it('ends the canonical URI with / and escapes each segment strictly', () => {
    const canonical = canonicalRequest(
      { method: 'get', url: new URL("https://h.example/v1/%ED%85%8C%EC%8A%A4%ED%8A%B8/a(b)*!'"), headers: {}, body: '' },
      [],
    );

    expect(canonical.split('\n').slice(0, 2)).toEqual(['GET', '/v1/%ED%85%8C%EC%8A%A4%ED%8A%B8/a%28b%29%2A%21%27/']);
  });

  it('sorts the query by key then value and escapes spaces as %20', () => {
    const canonical = canonicalRequest(
      { method: 'GET', url: new URL('https://h.example/p?b=2&a=y&a=x&name=a+b'), headers: {}, body: '' },
      [],
    );

    expect(canonical.split('\n')[2]).toBe('a=x&a=y&b=2&name=a%20b');
  });

  it('replaces a stale X-Sdk-Date instead of sending two', () => {
    const headers = signHuaweiRequest(
      { method: 'GET', url: new URL('https://h.example/p'), headers: { 'x-sdk-date': '20000101T000000Z' }, body: '' },
      { ak: 'FAKEACCESSKEY0001', sk: 'FAKESECRETKEY0001' },
      new Date('2026-01-02T03:04:05Z'),
    );

    expect(Object.keys(headers).filter((name) => name.toLowerCase() === 'x-sdk-date')).toEqual(['X-Sdk-Date']);
    expect(headers['X-Sdk-Date']).toBe('20260102T030405Z');
  });

  it('formats the date as UTC YYYYMMDDTHHMMSSZ', () => {
    expect(formatSdkDate(new Date('2026-11-28T23:59:58.999Z'))).toBe('20261128T235958Z');
  });
});
