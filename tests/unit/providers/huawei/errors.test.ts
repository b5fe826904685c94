import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../../../lib/core/errors';
import type { HttpResponse } from '../../../../lib/http/client';
import { huaweiErrorFromResponse, parseHuaweiErrorBody } from '../../../../lib/providers/huawei/errors';

function aResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: new Headers(headers), text: typeof body === 'string' ? body : JSON.stringify(body), attempts: 1 };
}

const classifyOms = (code: string): ErrorClass | undefined => (code === 'OMS.1009' ? 'not-found' : undefined);

describe('huaweiErrorFromResponse', () => {
  it.each<[string, number, unknown, ErrorClass, string | undefined]>([
    [
      'a bad signature',
      401,
      { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information' },
      'auth',
      'APIG.0301',
    ],
    ['a gateway throttle', 429, { error_code: 'APIG.0308', error_msg: 'policy user over ratelimit' }, 'throttled', 'APIG.0308'],
    ['APIG.0308 even on an odd status', 400, { error_code: 'APIG.0308', error_msg: 'over ratelimit' }, 'throttled', 'APIG.0308'],
    ['a bare 401', 401, '', 'auth', undefined],
    ['a bare 429', 429, '', 'throttled', undefined],
    ['a forbidden action', 403, { error_code: 'OMS.0031', error_msg: 'no permission' }, 'auth', 'OMS.0031'],
    ['a server error', 500, { error_code: 'DRS.00000001', error_msg: 'internal' }, 'retryable', 'DRS.00000001'],
    ['a gateway timeout', 504, '<html>gateway timeout</html>', 'retryable', undefined],
    ['a 404', 404, { error_code: 'APIG.0101', error_msg: 'The API does not exist' }, 'not-found', 'APIG.0101'],
    ['another 400', 400, { error_code: 'DRS.10010001', error_msg: 'invalid parameter' }, 'bad-request', 'DRS.10010001'],
    [
      'a service code the service classifies',
      400,
      { error_code: 'OMS.1009', error_msg: 'task not found' },
      'not-found',
      'OMS.1009',
    ],
    ['the DCS form', 400, { error_msg: 'bad', error_code: 'DCS.4133', error_ext_msg: 'no task' }, 'bad-request', 'DCS.4133'],
    ['an NCP-like nested body (not Huawei)', 400, { error: { errorCode: '100', message: 'x' } }, 'bad-request', undefined],
    ['a status nobody documents', 418, { error_code: 'X.1', error_msg: 'teapot' }, 'bad-request', 'X.1'],
    ['an unexpected redirect-like status', 302, '', 'provider-error', undefined],
  ])('classifies %s', (_name, status, body, errorClass, providerCode) => {
    // Act
    const error = huaweiErrorFromResponse(aResponse(status, body), { provider: 'huawei-oms', classifyCode: classifyOms });

    // Assess
    expect(error.errorClass).toBe(errorClass);
    expect(error.providerCode).toBe(providerCode);
    expect(error.status).toBe(status);
    expect(error.provider).toBe('huawei-oms');
  });

  it('waits what Retry-After says when throttled', () => {
    const error = huaweiErrorFromResponse(aResponse(429, { error_code: 'APIG.0308' }, { 'retry-after': '4' }), {
      provider: 'huawei-drs',
    });

    expect(error.retryAfterMs).toBe(4_000);
  });

  it('waits two seconds when throttled without Retry-After', () => {
    const error = huaweiErrorFromResponse(aResponse(429, { error_code: 'APIG.0308' }), { provider: 'huawei-drs' });

    expect(error.retryAfterMs).toBe(2_000);
  });

  it('names the code and message, attributes the task and removes credentials', () => {
    const error = huaweiErrorFromResponse(
      aResponse(401, { error_code: 'APIG.0301', error_msg: 'AK FAKEACCESSKEY0001 signature mismatch' }),
      { provider: 'huawei-drs', taskId: 'job-1', redact: (text) => text.replaceAll('FAKEACCESSKEY0001', '[redacted]') },
    );

    expect(error.message).toBe('huawei-drs HTTP 401 APIG.0301: AK [redacted] signature mismatch');
    expect(error.taskId).toBe('job-1');
  });

  it('falls back to error_ext_msg when error_msg is missing', () => {
    const error = huaweiErrorFromResponse(aResponse(400, { error_code: 'DCS.4133', error_ext_msg: 'no such task' }), {
      provider: 'huawei-dcs',
    });

    expect(error.message).toContain('no such task');
  });
});

describe('parseHuaweiErrorBody', () => {
  it('accepts a numeric error_code as a string', () => {
    expect(parseHuaweiErrorBody({ error_code: 42, error_msg: 'x' })).toEqual({ error_code: '42', error_msg: 'x' });
  });

  it('refuses bodies that are not Huawei errors', () => {
    expect(parseHuaweiErrorBody({ error: { code: 'x' } })).toBeUndefined();
    expect(parseHuaweiErrorBody(undefined)).toBeUndefined();
  });
});
