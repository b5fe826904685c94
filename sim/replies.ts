import { randomUUID } from 'node:crypto';
import type { ProviderKey } from '../lib/providers/types';

/** What a route answers; the server writes it. An empty body is sent as zero bytes (OMS stop/start). */
export interface Reply {
  status: number;
  body?: unknown;
}

export function json(status: number, body: unknown): Reply {
  return { status, body };
}

export const emptyOk: Reply = { status: 200 };

/** NCP: `{"error": {"errorCode": "...", "message": "..."}}` (providers.md section 1). */
export function ncpError(status: number, errorCode: string, message: string): Reply {
  return json(status, { error: { errorCode, message } });
}

export const NCP_AUTH_FAILED: Reply = ncpError(401, '200', 'Authentication Failed');

/** Huawei API gateway: `{error_code: "APIG.xxxx", error_msg, request_id}` (providers.md section 5). */
export function gatewayError(status: number, code: string, message: string): Reply {
  return json(status, { error_code: code, error_msg: message, request_id: randomUUID().replace(/-/g, '') });
}

export function huaweiAuthFailed(detail: string): Reply {
  return gatewayError(401, 'APIG.0301', `Incorrect IAM authentication information: ${detail}`);
}

/** OMS and DRS service errors: `{error_code, error_msg}`. */
export function serviceError(status: number, code: string, message: string): Reply {
  return json(status, { error_code: code, error_msg: message });
}

/** DCS service errors carry `error_ext_msg` too (null: "not used currently"). */
export function dcsError(status: number, code: string, message: string): Reply {
  return json(status, { error_msg: message, error_code: code, error_ext_msg: null });
}

/**
 * Codes the public record does not give; the simulator's choices (reported to the lead, keep in step with
 * the adapters' tables). Documented ones: OMS.1009, OMS.0066, DRS.10000010, DCS.4133, APIG.0301, APIG.0308.
 */
export const CHOSEN_CODES = {
  ncpBadRequest: '100',
  ncpNotFound: '300',
  ncpRateLimit: '420',
  omsBadRequest: 'OMS.0003',
  omsCannotStart: 'OMS.0067',
  omsWrongTaskKeys: 'OMS.1106',
  omsInternal: 'OMS.0001',
  drsBadRequest: 'DRS.10000003',
  drsInvalidState: 'DRS.10020003',
  drsBatchRejected: 'DRS.10000004',
  drsInternal: 'DRS.10000001',
  dcsBadRequest: 'DCS.4000',
  dcsInvalidState: 'DCS.4135',
  dcsRestartUnsupported: 'DCS.4136',
  dcsBatchRejected: 'DCS.4001',
  dcsInternal: 'DCS.5000',
  gatewayNotFound: 'APIG.0101',
  gatewayForbidden: 'APIG.0302',
  gatewayBackendTimeout: 'APIG.0201',
  gatewayBackendUnavailable: 'APIG.0202',
} as const;

export function throttled(provider: ProviderKey, limit: number): Reply {
  if (provider === 'ncp-object-migration') return ncpError(429, CHOSEN_CODES.ncpRateLimit, 'Rate Limit Exceeded');
  return gatewayError(429, 'APIG.0308', `policy user over ratelimit, limit:${limit}, time:1 second`);
}

export function notFoundRoute(provider: ProviderKey | 'unknown'): Reply {
  if (provider === 'ncp-object-migration') return ncpError(404, CHOSEN_CODES.ncpNotFound, 'Not Found Exception');
  return gatewayError(404, CHOSEN_CODES.gatewayNotFound, 'The API does not exist or has not been published in the environment.');
}

/** An injected HTTP fault, in the provider's own words for that status. */
export function faultReply(provider: ProviderKey | 'unknown', status: number, limit: number): Reply {
  if (status === 429) return throttled(provider === 'unknown' ? 'huawei-oms' : provider, limit);
  if (provider === 'ncp-object-migration') {
    const ncp: Record<number, [string, string]> = {
      400: ['100', 'Bad Request Exception'],
      401: ['200', 'Authentication Failed'],
      403: ['210', 'Permission Denied'],
      404: ['300', 'Not Found Exception'],
      500: ['900', 'Unknown Exception'],
      503: ['500', 'Endpoint Error'],
      504: ['510', 'Endpoint Timeout'],
    };
    const [code, message] = ncp[status] ?? ['900', 'Unknown Exception'];
    return ncpError(status, code, message);
  }
  if (status === 401) return huaweiAuthFailed('simulated fault');
  if (status === 504) return gatewayError(504, CHOSEN_CODES.gatewayBackendTimeout, 'Backend timeout.');
  if (status === 502 || status === 503)
    return gatewayError(status, CHOSEN_CODES.gatewayBackendUnavailable, 'Backend unavailable.');
  if (status === 404 && provider === 'unknown') return notFoundRoute(provider);
  switch (provider) {
    case 'huawei-oms':
      return serviceError(status, status >= 500 ? CHOSEN_CODES.omsInternal : CHOSEN_CODES.omsBadRequest, 'simulated fault');
    case 'huawei-drs':
      return serviceError(status, status >= 500 ? CHOSEN_CODES.drsInternal : CHOSEN_CODES.drsBadRequest, 'simulated fault');
    default:
      return dcsError(status, status >= 500 ? CHOSEN_CODES.dcsInternal : CHOSEN_CODES.dcsBadRequest, 'simulated fault');
  }
}
