import { ProviderError } from '../../../../lib/core/errors';
import type { NcpRequest, NcpResponse } from '../../../../lib/providers/ncp-object-migration/client';

/** Answers like NcpClient: the handler returns a JSON body, or throws a ProviderError. */
export type FakeHandler = (request: NcpRequest) => unknown;

export interface FakeClient {
  requests: NcpRequest[];
  request(request: NcpRequest): Promise<NcpResponse>;
}

export function fakeClient(handler: FakeHandler): FakeClient {
  const requests: NcpRequest[] = [];
  return {
    requests,
    async request(request) {
      requests.push(request);
      return { status: 200, json: handler(request) };
    },
  };
}

export function ncpError(code: string, status: number, errorClass: ProviderError['errorClass']): ProviderError {
  return new ProviderError(`ncp-object-migration HTTP ${status} ${code}`, {
    errorClass,
    provider: 'ncp-object-migration',
    status,
    providerCode: code,
  });
}

export function aJob(title: string, jobState = 'STARTED'): Record<string, unknown> {
  return { title, jobState, targetBucketName: `target-${title}` };
}
