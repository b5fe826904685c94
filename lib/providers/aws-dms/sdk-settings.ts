import type { HttpSettings } from '../../http/client';

/**
 * What every AWS SDK client of this provider is built with: the SDK's own retries off (our retry policy and the
 * account's rate limiter decide, lib/http/client.ts), and the account's timeout enforced — the SDK only warns about
 * a request past its requestTimeout unless told to throw.
 */
export function sdkClientSettings(http: HttpSettings, endpoint: string | undefined) {
  return {
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: http.timeoutMs,
      connectionTimeout: http.timeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}
