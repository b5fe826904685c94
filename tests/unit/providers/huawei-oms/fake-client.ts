import { ProviderError } from '../../../../lib/core/errors';
import type { HuaweiRequest, HuaweiResponse } from '../../../../lib/providers/huawei/client';

/** Answers like the shared Huawei client: the handler returns a JSON body, or throws a ProviderError. */
export type FakeHandler = (request: HuaweiRequest) => unknown;

export interface FakeClient {
  requests: HuaweiRequest[];
  request(request: HuaweiRequest): Promise<HuaweiResponse>;
}

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

export function omsError(code: string, status = 400, errorClass: ProviderError['errorClass'] = 'bad-request'): ProviderError {
  return new ProviderError(`huawei-oms HTTP ${status} ${code}`, {
    errorClass,
    provider: 'huawei-oms',
    status,
    providerCode: code,
  });
}
