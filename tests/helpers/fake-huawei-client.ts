import { ProviderError } from '../../lib/core/errors';
import type { HuaweiRequest, HuaweiResponse } from '../../lib/providers/huawei/client';
import type { ProviderKey } from '../../lib/providers/types';

/** Answers like the shared Huawei client: the handler returns a JSON body, or throws a ProviderError. */
export type FakeHandler = (request: HuaweiRequest) => unknown;

export interface FakeClient {
  requests: HuaweiRequest[];
  request(request: HuaweiRequest): Promise<HuaweiResponse>;
}

/** A stand-in for HuaweiClient in unit tests of a session's logic (HTTP itself is tested against the simulator). */
export function fakeClient(handler: FakeHandler): FakeClient {
  const requests: HuaweiRequest[] = [];
  return {
    requests,
    async request(request) {
      requests.push(request);
      return { status: 200, json: handler(request), attempts: 1 };
    },
  };
}

/** The error the shared client throws for a service error code. */
export function huaweiError(
  provider: ProviderKey,
  code: string,
  errorClass: ProviderError['errorClass'],
  status = 400,
): ProviderError {
  return new ProviderError(`${provider} HTTP ${status} ${code}`, { errorClass, provider, status, providerCode: code });
}
