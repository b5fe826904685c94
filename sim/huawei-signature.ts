import { createHash, createHmac } from 'node:crypto';
import { sameText } from './ncp-signature';

/**
 * Huawei APIG `SDK-HMAC-SHA256` verification (providers.md section 5), written independently of lib's signer:
 * the gateway rebuilds the canonical request from what it received and compares signatures.
 */

export const HUAWEI_ALGORITHM = 'SDK-HMAC-SHA256';
/** The gateway rejects X-Sdk-Date more than 15 minutes from its clock. */
export const HUAWEI_MAX_SKEW_MS = 15 * 60 * 1000;

export interface CanonicalInput {
  method: string;
  /** Raw path as received (no query). */
  path: string;
  /** Raw query as received, without the leading '?' ('' when none). */
  query: string;
  /** Lower-case header names → values. */
  headers: Record<string, string>;
  signedHeaders: readonly string[];
  body: string | Buffer;
}

/** Keeps only A-Z a-z 0-9 _ - ~ . ; everything else becomes upper-case %XX of its UTF-8 bytes. */
export function huaweiEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_\-~.]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Each segment decoded then escaped, always ending with '/'. */
export function canonicalUri(path: string): string {
  const escaped = path
    .split('/')
    .map((segment) => huaweiEscape(decodeOrKeep(segment)))
    .join('/');
  return escaped.endsWith('/') ? escaped : `${escaped}/`;
}

/** key=value pairs, escaped, sorted by key then value, joined by '&'. */
export function canonicalQuery(query: string): string {
  const pairs = [...new URLSearchParams(query).entries()].map(
    ([key, value]) => [huaweiEscape(key), huaweiEscape(value)] as const,
  );
  pairs.sort(([k1, v1], [k2, v2]) => (k1 === k2 ? byCodeUnit(v1, v2) : byCodeUnit(k1, k2)));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function canonicalRequest(input: CanonicalInput): string {
  const names = [...input.signedHeaders].map((name) => name.toLowerCase()).sort(byCodeUnit);
  const headerLines = names.map((name) => `${name}:${(input.headers[name] ?? '').trim()}\n`).join('');
  return [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    headerLines,
    names.join(';'),
    sha256Hex(input.body),
  ].join('\n');
}

export function huaweiSignature(secretKey: string, sdkDate: string, canonical: string): string {
  const stringToSign = `${HUAWEI_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
  return createHmac('sha256', secretKey).update(stringToSign, 'utf8').digest('hex');
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`; undefined when malformed. */
export function parseAuthorization(value: string | undefined): ParsedAuthorization | undefined {
  if (value === undefined) return undefined;
  const match = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(value);
  if (match === null) return undefined;
  const [, accessKey, signedHeaders, signature] = match;
  if (accessKey === undefined || signedHeaders === undefined || signature === undefined) return undefined;
  return { accessKey, signedHeaders: signedHeaders.split(';'), signature };
}

/** `YYYYMMDDTHHMMSSZ` → epoch ms, or undefined. */
export function parseSdkDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined || s === undefined)
    return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface HuaweiSignedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type HuaweiVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks the signature with `secretKey`. Stricter than the minimum: host and x-sdk-date must be signed, and
 * x-project-id / x-security-token must be signed whenever they are sent (providers.md section 5).
 */
export function verifyHuaweiRequest(
  request: HuaweiSignedRequest,
  auth: ParsedAuthorization,
  secretKey: string,
  now: number,
): HuaweiVerdict {
  const sdkDate = request.headers['x-sdk-date'];
  const at = parseSdkDate(sdkDate);
  if (sdkDate === undefined || at === undefined) return { ok: false, reason: 'missing or malformed X-Sdk-Date' };
  if (Math.abs(now - at) > HUAWEI_MAX_SKEW_MS) return { ok: false, reason: 'X-Sdk-Date is more than 15 minutes off' };
  const signed = new Set(auth.signedHeaders.map((name) => name.toLowerCase()));
  for (const required of ['host', 'x-sdk-date']) {
    if (!signed.has(required)) return { ok: false, reason: `${required} is not signed` };
  }
  for (const sentMustSign of ['x-project-id', 'x-security-token']) {
    if (request.headers[sentMustSign] !== undefined && !signed.has(sentMustSign))
      return { ok: false, reason: `${sentMustSign} is not signed` };
  }
  for (const name of signed) {
    if (request.headers[name] === undefined) return { ok: false, reason: `signed header ${name} was not sent` };
  }
  const canonical = canonicalRequest({ ...request, signedHeaders: auth.signedHeaders });
  const expected = huaweiSignature(secretKey, sdkDate, canonical);
  return sameText(auth.signature.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'verify aksk signature fail' };
}
