import { createHash, createHmac } from 'node:crypto';

/**
 * Huawei Cloud AK/SK signing, `SDK-HMAC-SHA256` (providers.md section 5): what Huawei's own SDKs send by
 * default, so OMS, DRS and DCS all accept it without an IAM token round-trip.
 */

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** The exact bytes sent ('' when there is no body). */
  body: string;
}

export interface SigningKeys {
  ak: string;
  sk: string;
}

/** Headers we sign whenever they are sent; host and x-sdk-date are always signed. */
const OPTIONAL_SIGNED_HEADERS = ['content-type', 'x-project-id', 'x-security-token'] as const;

/**
 * Returns the request's headers plus `X-Sdk-Date` and `Authorization`. `date` is a parameter so that every
 * retry signs with a fresh timestamp (the gateway refuses dates more than 15 minutes off) and tests can freeze it.
 */
export function signHuaweiRequest(request: SignableRequest, keys: SigningKeys, date: Date): Record<string, string> {
  const sdkDate = formatSdkDate(date);
  const headers: Record<string, string> = { ...withoutHeader(request.headers, 'x-sdk-date'), 'X-Sdk-Date': sdkDate };
  const sent = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const signedHeaders = ['host', 'x-sdk-date', ...OPTIONAL_SIGNED_HEADERS.filter((name) => sent.has(name))];
  const canonical = canonicalRequest({ ...request, headers }, signedHeaders);
  const signature = computeSignature(keys.sk, canonical, sdkDate);
  headers.Authorization = `${SIGNING_ALGORITHM} Access=${keys.ak}, SignedHeaders=${sortedNames(signedHeaders).join(';')}, Signature=${signature}`;
  return headers;
}

/**
 * METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body)).
 * `host` is taken from the headers when given, else from the URL (what fetch will send).
 */
export function canonicalRequest(request: SignableRequest, signedHeaders: readonly string[]): string {
  const names = sortedNames(signedHeaders);
  const lowerHeaders = new Map(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const canonicalHeaders = names
    .map((name) => {
      const value = lowerHeaders.get(name) ?? (name === 'host' ? request.url.host : '');
      return `${name}:${value.trim()}\n`;
    })
    .join('');
  return [
    request.method.toUpperCase(),
    canonicalUri(request.url),
    canonicalQuery(request.url),
    canonicalHeaders,
    names.join(';'),
    sha256Hex(request.body),
  ].join('\n');
}

/** hex(hmacSha256(SK, "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest)))). */
export function computeSignature(sk: string, canonical: string, sdkDate: string): string {
  const stringToSign = `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
  return createHmac('sha256', sk).update(stringToSign, 'utf8').digest('hex');
}

/** UTC `YYYYMMDDTHHMMSSZ`. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Each segment decoded, then re-escaped the signer's way, always ending with `/` (the SDKs sign it so even
 * when the request path does not end with one).
 */
function canonicalUri(url: URL): string {
  const segments = url.pathname.split('/').map((segment) => huaweiEscape(safeDecode(segment)));
  const path = segments.join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

function canonicalQuery(url: URL): string {
  const pairs = [...url.searchParams.entries()].map(([key, value]) => [huaweiEscape(key), huaweiEscape(value)] as const);
  pairs.sort(([k1, v1], [k2, v2]) => (k1 === k2 ? compare(v1, v2) : compare(k1, k2)));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

/** Keeps only A-Z a-z 0-9 _ - ~ . ; everything else becomes upper-case %XX of its UTF-8 bytes. */
function huaweiEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function sortedNames(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))].sort(compare);
}

function withoutHeader(headers: Record<string, string>, lowerName: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== lowerName));
}

/** Byte-order comparison, as the SDKs sort (not locale order). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
