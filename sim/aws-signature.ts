import { createHash, createHmac } from 'node:crypto';
import { sameText } from './ncp-signature';

/**
 * AWS Signature Version 4 verification (AWS General Reference, "Signature Version 4 signing process"), written
 * independently of the SDK's signer: the simulator rebuilds the canonical request from what it received, derives the
 * signing key from the secret it knows, and compares. Also the simulator's fake STS credentials: derived from the
 * account's own secret key, so any simulator can check a session token it issued without keeping state.
 */

export const AWS_ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses a request whose X-Amz-Date is more than 15 minutes from its clock. */
export const AWS_MAX_SKEW_MS = 15 * 60 * 1000;

export interface AwsAuthorization {
  accessKey: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** `AWS4-HMAC-SHA256 Credential=AK/20261203/ap-northeast-2/dms/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAwsAuthorization(header: string | undefined): AwsAuthorization | undefined {
  if (header === undefined || !header.startsWith(`${AWS_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(AWS_ALGORITHM.length + 1).split(',')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== undefined && value.length > 0) fields.set(name, value.join('='));
  }
  const scope = fields.get('Credential')?.split('/') ?? [];
  const signedHeaders = fields.get('SignedHeaders')?.split(';') ?? [];
  const signature = fields.get('Signature');
  const [accessKey, date, region, service, terminator] = scope;
  if (scope.length !== 5 || terminator !== 'aws4_request' || !accessKey || !date || !region || !service) return undefined;
  if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature) || signedHeaders.some((h) => h === '')) return undefined;
  return { accessKey, date, region, service, signedHeaders, signature };
}

/** RFC 3986 unreserved characters stay; everything else is %XX (upper case) of its UTF-8 bytes. */
function awsEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_\-~.]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Services other than S3 escape each path segment once more, as received (AWS: "double-encode"). */
function canonicalUri(path: string): string {
  return path === '' ? '/' : path.split('/').map(awsEscape).join('/');
}

function canonicalQuery(query: string): string {
  const pairs =
    query === ''
      ? []
      : query.split('&').map((pair) => {
          const [key = '', value = ''] = pair.split('=');
          return [awsEscape(decodeOrKeep(key)), awsEscape(decodeOrKeep(value))] as const;
        });
  pairs.sort(([k1, v1], [k2, v2]) => (k1 === k2 ? (v1 < v2 ? -1 : v1 > v2 ? 1 : 0) : k1 < k2 ? -1 : 1));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export interface AwsSignedRequest {
  method: string;
  path: string;
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export type AwsVerdict = { ok: true } | { ok: false; code: AwsAuthCode; reason: string };

/** The error names AWS gives each failure (JSON `__type`, query `<Code>`). */
export type AwsAuthCode = 'IncompleteSignature' | 'InvalidSignatureException' | 'SignatureDoesNotMatch' | 'ExpiredToken';

/**
 * Checks a request's SigV4 signature against `secretKey`. `service` is the one the endpoint is (dms, sts): a
 * signature scoped to another service or region is refused, as AWS does.
 */
export function verifyAwsRequest(
  request: AwsSignedRequest,
  auth: AwsAuthorization,
  secretKey: string,
  expected: { region: string; service: string; mismatch: AwsAuthCode },
  now: number,
): AwsVerdict {
  const amzDate = request.headers['x-amz-date'];
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate))
    return { ok: false, code: 'IncompleteSignature', reason: 'X-Amz-Date is missing or malformed' };
  const at = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (Math.abs(now - at) > AWS_MAX_SKEW_MS)
    return { ok: false, code: expected.mismatch, reason: 'Signature expired: X-Amz-Date is more than 15 minutes off' };
  if (auth.date !== amzDate.slice(0, 8))
    return { ok: false, code: expected.mismatch, reason: 'the credential scope date does not match X-Amz-Date' };
  if (auth.region !== expected.region)
    return { ok: false, code: expected.mismatch, reason: `Credential should be scoped to a valid region, not '${auth.region}'` };
  if (auth.service !== expected.service)
    return {
      ok: false,
      code: expected.mismatch,
      reason: `Credential should be scoped to correct service: '${expected.service}'`,
    };
  const mustSign = [
    'host',
    'x-amz-date',
    ...Object.keys(request.headers).filter((h) => h === 'x-amz-security-token' || h === 'x-amz-target'),
  ];
  const unsigned = mustSign.find((h) => !auth.signedHeaders.includes(h));
  if (unsigned !== undefined) return { ok: false, code: 'IncompleteSignature', reason: `header ${unsigned} must be signed` };
  const sorted = [...auth.signedHeaders].sort();
  if (sorted.join(';') !== auth.signedHeaders.join(';'))
    return { ok: false, code: 'IncompleteSignature', reason: 'SignedHeaders must be sorted' };
  const missing = auth.signedHeaders.find((h) => request.headers[h] === undefined);
  if (missing !== undefined) return { ok: false, code: 'IncompleteSignature', reason: `signed header ${missing} was not sent` };

  const canonicalHeaders = auth.signedHeaders
    .map((h) => `${h}:${(request.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [AWS_ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, auth.date), auth.region), auth.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return sameText(signature, auth.signature)
    ? { ok: true }
    : {
        ok: false,
        code: expected.mismatch,
        reason: 'The request signature we calculated does not match the signature you provided.',
      };
}

// Fake STS session credentials

const TOKEN_PREFIX = 'FAKE-STS-TOKEN';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

/** What a session token carries: the base access key it was issued to, its access key id, expiry and role. */
interface TokenPayload {
  ak: string;
  id: string;
  exp: number;
  role: string;
}

/** Issues session credentials for an account's role; obviously fake, and checkable with the account's secret alone. */
export function issueSessionCredentials(
  account: { accessKey: string; secretKey: string },
  roleArn: string,
  expiration: number,
): SessionCredentials {
  const id = `ASIAFAKE${hmac(account.secretKey, `id:${roleArn}:${expiration}`).toString('hex').slice(0, 12).toUpperCase()}`;
  const payload: TokenPayload = { ak: account.accessKey, id, exp: expiration, role: roleArn };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const mac = hmac(account.secretKey, `token:${body}`).toString('hex').slice(0, 32);
  return {
    accessKeyId: id,
    secretAccessKey: sessionSecret(account.secretKey, id),
    sessionToken: `${TOKEN_PREFIX}.${body}.${mac}`,
    expiration,
  };
}

function sessionSecret(accountSecret: string, id: string): string {
  return `FAKE-TEMP-SK-${hmac(accountSecret, `secret:${id}`).toString('hex').slice(0, 32)}`;
}

/** The base access key a session token names (before anything is verified), or undefined when it is none of ours. */
export function tokenAccessKey(token: string | undefined): string | undefined {
  return readToken(token)?.ak;
}

function readToken(token: string | undefined): TokenPayload | undefined {
  const [prefix, body, mac, ...rest] = token?.split('.') ?? [];
  if (prefix !== TOKEN_PREFIX || body === undefined || mac === undefined || rest.length > 0) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<TokenPayload>;
    const { ak, id, exp, role } = payload;
    if (typeof ak !== 'string' || typeof id !== 'string' || typeof exp !== 'number' || typeof role !== 'string') return undefined;
    return { ak, id, exp, role };
  } catch {
    return undefined;
  }
}

export type SessionVerdict =
  | { ok: true; secretKey: string; roleArn: string }
  | { ok: false; code: AwsAuthCode | 'UnrecognizedClientException'; reason: string };

/** Checks a session token against the account that issued it; the secret key its access key id signs with. */
export function verifySessionToken(
  token: string,
  accessKeyId: string,
  account: { secretKey: string },
  now: number,
): SessionVerdict {
  const payload = readToken(token);
  const [, body = '', mac = ''] = token.split('.');
  if (payload === undefined || !sameText(hmac(account.secretKey, `token:${body}`).toString('hex').slice(0, 32), mac))
    return { ok: false, code: 'UnrecognizedClientException', reason: 'The security token included in the request is invalid.' };
  if (payload.id !== accessKeyId)
    return { ok: false, code: 'UnrecognizedClientException', reason: 'The security token does not belong to this access key.' };
  if (payload.exp <= now)
    return { ok: false, code: 'ExpiredToken', reason: 'The security token included in the request is expired' };
  return { ok: true, secretKey: sessionSecret(account.secretKey, accessKeyId), roleArn: payload.role };
}
