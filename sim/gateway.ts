import { randomUUID } from 'node:crypto';
import type { ProviderKey } from '../lib/providers/types';
import { parseAwsAuthorization, tokenAccessKey, verifyAwsRequest, verifySessionToken } from './aws-signature';
import { parseAuthorization, verifyHuaweiRequest } from './huawei-signature';
import { verifyNcpRequest } from './ncp-signature';
import type { MatchedRoute } from './providers/context';
import { dcsFleet, matchDcs } from './providers/dcs';
import { DMS_TARGET_PREFIX, dmsFleet, matchDms } from './providers/dms';
import { drsFleet, matchDrs } from './providers/drs';
import { matchNcp, ncpFleet } from './providers/ncp';
import { matchOms, omsFleet } from './providers/oms';
import { stsRoute } from './providers/sts';
import {
  awsJsonError,
  CHOSEN_CODES,
  dcsError,
  gatewayError,
  huaweiAuthFailed,
  NCP_AUTH_FAILED,
  ncpError,
  type Reply,
  serviceError,
  stsError,
} from './replies';
import type { SimAccount, SimFleet } from './types';

/**
 * A simulated provider's API gateway: everything the server does differently per provider. The server asks each
 * gateway in turn whether it serves a path, then follows the claiming gateway's rules; nothing in the server names a
 * provider. Adding a provider key to lib is a compile error here until its gateway exists (SIM_GATEWAYS is a
 * Record over every key).
 */
export interface SimGateway {
  key: ProviderKey;
  /**
   * Whether this gateway serves the path (`segments`: the raw path split on '/', without the leading empty one), and
   * if so which of its endpoints it names: `{}` when none (the gateway's own 404); undefined when the path is not its.
   * `headers` (lower-case names) for the APIs that name the operation there (AWS: `X-Amz-Target`, or a form POST).
   */
  claim(method: string, segments: readonly string[], headers: Record<string, string>): GatewayClaim | undefined;
  /** How a caller presents and proves its key; gateways that accept the same keys share one scheme object. */
  auth: SimAuthScheme;
  /** The 401 this gateway answers a request it could not authenticate with (`reason` for those that say why). */
  authFailed(reason: string): Reply;
  /** A route this gateway does not have: answered before authentication, whoever asks. */
  notFound(): Reply;
  /** Over the account's rate (`limit` per second). */
  throttled(limit: number): Reply;
  /** An injected HTTP fault with this status, in this provider's words: 429 is its throttle body. */
  fault(status: number, limit: number): Reply;
  /** Headers on every answer this gateway gives. */
  responseHeaders(at: number): Record<string, string>;
  /** This provider's own checks of an authenticated request before it is served (region, project). */
  admit(headers: Record<string, string>, account: SimAccount, route: MatchedRoute): Reply | undefined;
  /** The secret JSON a client keeps for this account (what lib's config reads from `env:`). */
  secretOf(account: SimAccount): Record<string, unknown>;
  /** How the scenario generator makes this provider's accounts and tasks. */
  fleet: SimFleet;
  /** This provider's own fields of the account in an accounts file pointing at the simulator at `url`. */
  accountFields?(account: SimAccount, url: string): Record<string, unknown>;
}

export interface GatewayClaim {
  route?: MatchedRoute;
}

/** A request as received, for authentication. */
export interface SignedRequest {
  method: string;
  /** Raw path + query exactly as received. */
  rawUrl: string;
  /** Raw path (no query) and raw query (no '?', '' when none). */
  path: string;
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export type AuthVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks one request against the account it claims to be (undefined: no account holds the presented key) for the
 * gateway `provider` it was sent to.
 */
export type Authenticator = (
  request: SignedRequest,
  provider: ProviderKey,
  account: SimAccount | undefined,
  now: number,
) => AuthVerdict;

/**
 * A credential scheme: how the access key is presented and how a request is proved. One object per family of keys:
 * an account of any gateway with the same scheme may present its key to another (Huawei IAM keys serve OMS, DRS and
 * DCS alike; the project check refuses it later).
 */
export interface SimAuthScheme {
  /** The access key the request presents, before anything is verified. */
  presentedAccessKey(headers: Record<string, string>): string | undefined;
  /** A fresh authenticator for one simulator: any state it keeps (Huawei's AK lockout) lives as long as that simulator. */
  authenticator(): Authenticator;
}

// NCP

const ncpAuth: SimAuthScheme = {
  presentedAccessKey: (headers) => headers['x-ncp-iam-access-key'],
  authenticator: () => (request, provider, account, now) => {
    if (account === undefined || account.provider !== provider) return { ok: false, reason: 'unknown access key' };
    return verifyNcpRequest({ method: request.method, uri: request.rawUrl, headers: request.headers }, account.secretKey, now)
      ? { ok: true }
      : { ok: false, reason: 'signature mismatch' };
  },
};

/** NCP's words for each status an injected fault may carry (providers.md section 1). */
const NCP_FAULTS: Record<number, [string, string]> = {
  400: ['100', 'Bad Request Exception'],
  401: ['200', 'Authentication Failed'],
  403: ['210', 'Permission Denied'],
  404: ['300', 'Not Found Exception'],
  500: ['900', 'Unknown Exception'],
  503: ['500', 'Endpoint Error'],
  504: ['510', 'Endpoint Timeout'],
};

const ncpThrottled = () => ncpError(429, CHOSEN_CODES.ncpRateLimit, 'Rate Limit Exceeded');

/** NAVER Cloud API Gateway in front of Object Migration: `/migration-api/v1/…`, signature v2, region header. */
const ncpGateway: SimGateway = {
  key: 'ncp-object-migration',
  claim: (method, segments) => {
    const [root, version] = segments;
    if (root !== 'migration-api') return undefined;
    return { route: version === 'v1' ? matchNcp(method, segments.slice(2)) : undefined };
  },
  auth: ncpAuth,
  authFailed: () => NCP_AUTH_FAILED,
  notFound: () => ncpError(404, CHOSEN_CODES.ncpNotFound, 'Not Found Exception'),
  throttled: ncpThrottled,
  fault: (status) => {
    if (status === 429) return ncpThrottled();
    const [code, message] = NCP_FAULTS[status] ?? ['900', 'Unknown Exception'];
    return ncpError(status, code, message);
  },
  responseHeaders: () => ({}),
  admit: (headers, account) =>
    headers['x-ncp-region_code'] === account.region
      ? undefined
      : ncpError(400, CHOSEN_CODES.ncpBadRequest, 'x-ncp-region_code is missing or does not match'),
  secretOf: (account) => ({ accessKey: account.accessKey, secretKey: account.secretKey }),
  fleet: ncpFleet,
};

// Huawei

/** APIG: five AK/SK authentication failures in a row lock the key for five minutes (providers.md section 5). */
const HUAWEI_LOCK_AFTER = 5;
const HUAWEI_LOCK_MS = 5 * 60 * 1000;

/** Huawei APIG `SDK-HMAC-SHA256`, one IAM key for every service; failures are counted per AK across them. */
const huaweiAuth: SimAuthScheme = {
  presentedAccessKey: (headers) => parseAuthorization(headers.authorization)?.accessKey,
  authenticator: () => {
    const failures = new Map<string, { count: number; lockedUntil: number }>();
    return (request, _provider, account, now) => {
      const auth = parseAuthorization(request.headers.authorization);
      if (auth === undefined) return { ok: false, reason: 'missing or malformed Authorization (SDK-HMAC-SHA256 expected)' };
      const record = failures.get(auth.accessKey) ?? { count: 0, lockedUntil: 0 };
      if (record.lockedUntil > now) return { ok: false, reason: 'the AK is locked after repeated authentication failures' };
      const { method, path, query, headers, body } = request;
      const verdict =
        account === undefined
          ? { ok: false as const, reason: 'unknown AK' }
          : verifyHuaweiRequest({ method, path, query, headers, body }, auth, account.secretKey, now);
      if (verdict.ok) {
        failures.delete(auth.accessKey);
        return verdict;
      }
      record.count += 1;
      if (record.count >= HUAWEI_LOCK_AFTER) {
        record.count = 0;
        record.lockedUntil = now + HUAWEI_LOCK_MS;
      }
      failures.set(auth.accessKey, record);
      return verdict;
    };
  },
};

const huaweiThrottled = (limit: number) =>
  gatewayError(429, 'APIG.0308', `policy user over ratelimit, limit:${limit}, time:1 second`);

interface HuaweiService {
  key: ProviderKey;
  /** The API version that starts its paths: `/{version}/{project_id}/{collection}/…`. */
  version: string;
  /** The collections (third segment) the service serves. */
  collections: readonly string[];
  /** The endpoint named by the raw segments after the collection; undefined when none. */
  match(projectId: string, method: string, collection: string, rest: readonly string[]): MatchedRoute | undefined;
  /** The service's own error body for an injected fault the gateway itself would not answer (4xx, 500). */
  serviceFault(status: number): Reply;
  fleet: SimFleet;
}

/** A Huawei cloud service behind APIG: the gateway's authentication, throttle, 5xx and project check are shared. */
function huaweiGateway(service: HuaweiService): SimGateway {
  return {
    key: service.key,
    claim: (method, segments) => {
      const [root, rawProjectId, collection, ...rest] = segments;
      if (root !== service.version || collection === undefined || !service.collections.includes(collection)) return undefined;
      if (rawProjectId === undefined || rawProjectId === '') return undefined;
      const projectId = decodeURIComponentSafe(rawProjectId);
      if (projectId === undefined) return undefined;
      return { route: service.match(projectId, method, collection, rest) };
    },
    auth: huaweiAuth,
    authFailed: huaweiAuthFailed,
    notFound: () =>
      gatewayError(404, CHOSEN_CODES.gatewayNotFound, 'The API does not exist or has not been published in the environment.'),
    throttled: huaweiThrottled,
    fault: (status, limit) => {
      if (status === 429) return huaweiThrottled(limit);
      if (status === 401) return huaweiAuthFailed('simulated fault');
      if (status === 504) return gatewayError(504, CHOSEN_CODES.gatewayBackendTimeout, 'Backend timeout.');
      if (status === 502 || status === 503)
        return gatewayError(status, CHOSEN_CODES.gatewayBackendUnavailable, 'Backend unavailable.');
      return service.serviceFault(status);
    },
    responseHeaders: (at) => ({ 'x-request-id': String(at) }),
    admit: (headers, account, route) => {
      const projectHeader = headers['x-project-id'];
      if (
        account.provider !== service.key ||
        route.projectId !== account.projectId ||
        (projectHeader !== undefined && projectHeader !== account.projectId)
      )
        return gatewayError(
          403,
          CHOSEN_CODES.gatewayForbidden,
          'The IAM user is not authorized to access this project or service.',
        );
      return undefined;
    },
    secretOf: (account) => ({
      ak: account.accessKey,
      sk: account.secretKey,
      projectId: account.projectId,
      ...(account.oms !== undefined ? { oms: { ...account.oms } } : {}),
    }),
    fleet: service.fleet,
  };
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

// AWS (DMS, and the STS that hands out its role's credentials)

/** A failed AWS authentication as `Code: message`, the form the AWS gateways' authFailed reads back. */
const awsRefusal = (code: string, message: string): AuthVerdict => ({ ok: false, reason: `${code}: ${message}` });

function splitRefusal(reason: string): [string, string] {
  const match = /^(\w+): (.*)$/s.exec(reason);
  return match?.[1] !== undefined && match[2] !== undefined ? [match[1], match[2]] : ['IncompleteSignature', reason];
}

/**
 * SigV4 with an account's long-term keys, or with the session credentials the simulated STS issued for its role
 * (recognised by their session token, which names the account's key). The endpoint decides the signing service:
 * a request with `X-Amz-Target` is DMS's, any other is STS's.
 */
const awsAuth: SimAuthScheme = {
  presentedAccessKey: (headers) => {
    const auth = parseAwsAuthorization(headers.authorization);
    if (auth === undefined) return undefined;
    return tokenAccessKey(headers['x-amz-security-token']) ?? auth.accessKey;
  },
  authenticator: () => (request, provider, account, now) => {
    const auth = parseAwsAuthorization(request.headers.authorization);
    if (auth === undefined)
      return awsRefusal('MissingAuthenticationToken', 'Request is missing Authentication Token (AWS4-HMAC-SHA256 expected)');
    if (account === undefined || account.provider !== provider)
      return awsRefusal('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const token = request.headers['x-amz-security-token'];
    let secretKey = account.secretKey;
    if (token !== undefined) {
      const session = verifySessionToken(token, auth.accessKey, account, now);
      if (!session.ok) return awsRefusal(session.code, session.reason);
      secretKey = session.secretKey;
    } else if (auth.accessKey !== account.accessKey) {
      return awsRefusal('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    const dms = request.headers['x-amz-target'] !== undefined;
    const verdict = verifyAwsRequest(
      request,
      auth,
      secretKey,
      {
        region: account.region,
        service: dms ? 'dms' : 'sts',
        mismatch: dms ? 'InvalidSignatureException' : 'SignatureDoesNotMatch',
      },
      now,
    );
    return verdict.ok ? verdict : awsRefusal(verdict.code, verdict.reason);
  },
};

/** Whether a request is signed with the account's long-term key (not a session of its role). */
function signedWithAccountKey(headers: Record<string, string>, account: SimAccount): boolean {
  return (
    parseAwsAuthorization(headers.authorization)?.accessKey === account.accessKey && headers['x-amz-security-token'] === undefined
  );
}

const isRoot = (method: string, segments: readonly string[]) => method === 'POST' && segments.length === 1 && segments[0] === '';
const awsRequestId = () => ({ 'x-amzn-requestid': randomUUID() });

const dmsThrottled = () => awsJsonError(400, 'ThrottlingException', 'Rate exceeded');

/** AWS DMS over AWS JSON 1.1: `POST /` with `X-Amz-Target: AmazonDMSv20160101.<Operation>`. */
const dmsGateway: SimGateway = {
  key: 'aws-dms',
  claim: (method, segments, headers) => {
    const target = headers['x-amz-target'];
    if (!isRoot(method, segments) || target === undefined) return undefined;
    return { route: target.startsWith(DMS_TARGET_PREFIX) ? matchDms(target) : undefined };
  },
  auth: awsAuth,
  authFailed: (reason) => {
    const [code, message] = splitRefusal(reason);
    return awsJsonError(403, code === 'ExpiredToken' ? 'ExpiredTokenException' : code, message);
  },
  notFound: () => awsJsonError(400, 'UnknownOperationException', 'The operation is not supported by this simulator'),
  throttled: dmsThrottled,
  fault: (status) => {
    if (status === 429) return dmsThrottled();
    if (status === 401 || status === 403) return awsJsonError(403, 'UnrecognizedClientException', 'simulated fault');
    if (status === 502 || status === 503 || status === 504) return awsJsonError(503, 'ServiceUnavailable', 'simulated fault');
    if (status >= 500) return awsJsonError(status, 'InternalFailure', 'simulated fault');
    return awsJsonError(400, 'InvalidParameterValueException', 'simulated fault');
  },
  responseHeaders: awsRequestId,
  // With a role, the account's own keys may only assume it: DMS serves the role's sessions, not the keys.
  admit: (headers, account) =>
    account.roleArn !== undefined && signedWithAccountKey(headers, account)
      ? awsJsonError(
          400,
          'AccessDeniedException',
          `User: arn:aws:iam::000000000000:user/${account.name} is not authorized to call DMS; assume ${account.roleArn}`,
        )
      : undefined,
  secretOf: (account) => ({ accessKeyId: account.accessKey, secretAccessKey: account.secretKey }),
  fleet: dmsFleet,
  accountFields: (account, url) => ({
    ...(account.roleArn === undefined ? {} : { roleArn: account.roleArn, stsEndpoint: url }),
    ...(account.externalId === undefined ? {} : { externalId: account.externalId }),
  }),
};

const stsThrottled = () => stsError(400, 'Throttling', 'Rate exceeded');

/** AWS STS over the query protocol: `POST /`, a form body naming the Action; it serves the DMS accounts' roles. */
const stsGateway: SimGateway = {
  key: 'aws-dms',
  claim: (method, segments, headers) =>
    isRoot(method, segments) && headers['x-amz-target'] === undefined && headers.authorization?.startsWith('AWS4-')
      ? { route: stsRoute }
      : undefined,
  auth: awsAuth,
  authFailed: (reason) => {
    const [code, message] = splitRefusal(reason);
    return stsError(403, code === 'UnrecognizedClientException' ? 'InvalidClientTokenId' : code, message);
  },
  notFound: () => stsError(400, 'InvalidAction', 'The action is not supported by this simulator'),
  throttled: stsThrottled,
  fault: (status) => {
    if (status === 429) return stsThrottled();
    if (status === 401 || status === 403) return stsError(403, 'InvalidClientTokenId', 'simulated fault');
    if (status === 502 || status === 503 || status === 504) return stsError(503, 'ServiceUnavailable', 'simulated fault');
    if (status >= 500) return stsError(status, 'InternalFailure', 'simulated fault');
    return stsError(400, 'InvalidParameterValue', 'simulated fault');
  },
  responseHeaders: awsRequestId,
  // A role's session may not assume the role again (no role chaining here): only the account's keys may.
  admit: (headers, account) =>
    signedWithAccountKey(headers, account)
      ? undefined
      : stsError(403, 'AccessDenied', "only the account's own keys may assume its role in this simulator"),
  secretOf: (account) => dmsGateway.secretOf(account),
  fleet: dmsFleet,
};

// registry

/** Every provider's gateway. Their paths do not overlap (tests/simulator/gateways.test.ts checks each is claimed by one). */
export const SIM_GATEWAYS: Record<ProviderKey, SimGateway> = {
  'ncp-object-migration': ncpGateway,
  'huawei-oms': huaweiGateway({
    key: 'huawei-oms',
    version: 'v2',
    collections: ['tasks'],
    match: (projectId, method, _collection, rest) => matchOms(projectId, method, rest),
    serviceFault: (status) =>
      serviceError(status, status >= 500 ? CHOSEN_CODES.omsInternal : CHOSEN_CODES.omsBadRequest, 'simulated fault'),
    fleet: omsFleet,
  }),
  'huawei-drs': huaweiGateway({
    key: 'huawei-drs',
    version: 'v3',
    collections: ['jobs'],
    match: (projectId, method, _collection, rest) => matchDrs(projectId, method, rest),
    serviceFault: (status) =>
      serviceError(status, status >= 500 ? CHOSEN_CODES.drsInternal : CHOSEN_CODES.drsBadRequest, 'simulated fault'),
    fleet: drsFleet,
  }),
  'huawei-dcs': huaweiGateway({
    key: 'huawei-dcs',
    version: 'v2',
    collections: ['migration-task', 'migration-tasks'],
    match: matchDcs,
    serviceFault: (status) =>
      dcsError(status, status >= 500 ? CHOSEN_CODES.dcsInternal : CHOSEN_CODES.dcsBadRequest, 'simulated fault'),
    fleet: dcsFleet,
  }),
  'aws-dms': dmsGateway,
};

/** Every gateway: each provider's, and the ones a provider needs besides (STS, for DMS's roles). */
const GATEWAY_LIST: readonly SimGateway[] = [...Object.values(SIM_GATEWAYS), stsGateway];

/** The gateway that serves a raw path (no query), and the endpoint it names; no gateway when none claims it. */
export function routeRequest(
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
): { gateway?: SimGateway; route?: MatchedRoute } {
  const segments = rawPath.split('/').slice(1);
  for (const gateway of GATEWAY_LIST) {
    const claim = gateway.claim(method, segments, headers);
    if (claim !== undefined) return { gateway, route: claim.route };
  }
  return {};
}

/** The access key a request presents in any scheme's way (the first that finds one), before anything is verified. */
export function presentedAccessKey(headers: Record<string, string>): string | undefined {
  for (const gateway of GATEWAY_LIST) {
    const accessKey = gateway.auth.presentedAccessKey(headers);
    if (accessKey !== undefined) return accessKey;
  }
  return undefined;
}
