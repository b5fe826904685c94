import { describe, expect, it } from 'vitest';
import type { ErrorClass } from '../../../../lib/core/errors';
import type { HttpResponse } from '../../../../lib/http/client';
import { classifyNcpError, ncpErrorFromResponse } from '../../../../lib/providers/ncp-object-migration/errors';

function aResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: new Headers(headers), text, attempts: 1 };
}

const ncpBody = (errorCode: string | number, message = 'message') => ({ error: { errorCode, message } });

describe('NCP error mapping', () => {
  it.each<[number, string | number | undefined, ErrorClass]>([
    // documented pairs (providers.md §1)
    [401, '200', 'auth'],
    [401, '210', 'auth'],
    [401, 210, 'auth'],
    [404, '300', 'not-found'],
    [429, '400', 'throttled'],
    [429, '410', 'throttled'],
    [429, 420, 'throttled'],
    [503, '500', 'retryable'],
    [504, '510', 'retryable'],
    [500, '900', 'retryable'],
    [400, '100', 'bad-request'],
    // a documented code on another status still means what it says
    [403, '210', 'auth'],
    // no NCP body, or a code we do not know: the status decides where it is unambiguous
    [401, undefined, 'auth'],
    [403, undefined, 'auth'],
    [429, undefined, 'throttled'],
    [404, undefined, 'not-found'],
    [502, undefined, 'retryable'],
    [503, '999', 'retryable'],
    [401, '999', 'auth'],
    // anything else is the provider's own error
    [400, '999', 'provider-error'],
    [409, undefined, 'provider-error'],
    [418, 'abc', 'provider-error'],
    // a code that is an Object.prototype name is not a documented code
    [400, 'constructor', 'provider-error'],
  ])('classifies HTTP %i code %j as %s', (status, code, expected) => {
    const body = code === undefined ? '<html>gateway</html>' : ncpBody(code);
    const error = ncpErrorFromResponse(aResponse(status, body));

    expect(error.errorClass).toBe(expected);
    expect(classifyNcpError(status, code === undefined ? undefined : String(code))).toBe(expected);
  });

  it('keeps the status, the code as a string, the task and the message', () => {
    const error = ncpErrorFromResponse(aResponse(401, ncpBody(210, 'Permission Denied')), { taskId: 'photos' });

    expect(error).toMatchObject({
      provider: 'ncp-object-migration',
      status: 401,
      providerCode: '210',
      taskId: 'photos',
      message: 'ncp-object-migration HTTP 401 210: Permission Denied',
    });
  });

  it('takes the wait from Retry-After when a throttled answer has one', () => {
    const withHeader = ncpErrorFromResponse(aResponse(429, ncpBody('420'), { 'retry-after': '3' }));
    const without = ncpErrorFromResponse(aResponse(429, ncpBody('420')));

    expect(withHeader.retryAfterMs).toBe(3_000);
    expect(without.retryAfterMs).toBeUndefined();
  });

  it('removes credentials the provider echoes from the message', () => {
    const response = aResponse(401, ncpBody('200', 'bad key FAKEACCESSKEY0001'));

    const error = ncpErrorFromResponse(response, { redact: (text) => text.split('FAKEACCESSKEY0001').join('[redacted]') });

    expect(error.message).not.toContain('FAKEACCESSKEY0001');
    expect(error.message).toContain('[redacted]');
  });
});
