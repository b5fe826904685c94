import { randomUUID } from 'node:crypto';

/** What a route answers; the server writes it. An empty body is sent as zero bytes (OMS stop/start). */
export interface Reply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is instead of `body` (STS answers in XML). */
  raw?: string;
  /** Default `application/json;charset=UTF-8`. */
  contentType?: string;
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

/** AWS JSON 1.1 (DMS): the error's name in `__type`, its text in `message`; every client error is HTTP 400. */
export function awsJsonError(status: number, type: string, message: string): Reply {
  return { status, body: { __type: type, message }, contentType: AWS_JSON };
}

export const AWS_JSON = 'application/x-amz-json-1.1';

/** AWS query protocol (STS): an XML ErrorResponse; `Sender` for the caller's fault, `Receiver` for AWS's. */
export function stsError(status: number, code: string, message: string): Reply {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    raw: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    contentType: 'text/xml',
  };
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
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

/**
 * A path no simulated gateway claims: the simulator's own answer, in no provider's words, since no provider would
 * have been reached. `status` 404, or an injected fault's status.
 */
export function unclaimedPath(status: number): Reply {
  if (status === 404)
    return json(404, { error_code: 'SIM.0404', error_msg: 'No simulated provider serves this path (no gateway claims it).' });
  return json(status, { error_code: 'SIM.FAULT', error_msg: 'simulated fault on a path no simulated provider serves' });
}
