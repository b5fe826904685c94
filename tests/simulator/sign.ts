import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import type { SimAccount, Simulator } from '../../sim';

/**
 * Small request signers for the simulator's tests, written apart from both lib's signers and the simulator's
 * verifiers, so a shared mistake cannot hide.
 */

export function ncpSign(secretKey: string, method: string, uri: string, timestamp: string, accessKey: string): string {
  return createHmac('sha256', secretKey).update(`${method} ${uri}\n${timestamp}\n${accessKey}`).digest('base64');
}

const strictEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function huaweiCanonical(
  method: string,
  url: URL,
  headers: Record<string, string>,
  signed: string[],
  body: string,
): string {
  const path = url.pathname
    .split('/')
    .map((s) => strictEncode(decodeURIComponent(s)))
    .join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => `${strictEncode(k)}=${strictEncode(v)}`)
    .sort()
    .join('&');
  const names = [...signed].sort();
  const lines = names.map((n) => `${n}:${(headers[n] ?? '').trim()}\n`).join('');
  return [method, path.endsWith('/') ? path : `${path}/`, query, lines, names.join(';'), sha256(body)].join('\n');
}

export function huaweiSign(sk: string, sdkDate: string, canonical: string): string {
  return createHmac('sha256', sk)
    .update(`SDK-HMAC-SHA256\n${sdkDate}\n${sha256(canonical)}`)
    .digest('hex');
}

export function sdkDate(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export interface SignOptions {
  /** Sign with this secret instead of the account's. */
  secretKey?: string;
  /** Pretend the client clock is this far off. */
  skewMs?: number;
  contentType?: string | null;
  extraHeaders?: Record<string, string>;
}

export interface SimResponse {
  status: number;
  text: string;
  json: unknown;
}

/** Sends one signed request as `account` would; `body` objects are sent as JSON. */
export async function call(
  sim: Simulator,
  account: SimAccount,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  options: SignOptions = {},
): Promise<SimResponse> {
  const url = new URL(pathAndQuery, sim.url);
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const now = Date.now() + (options.skewMs ?? 0);
  const secret = options.secretKey ?? account.secretKey;
  const headers: Record<string, string> = { ...options.extraHeaders };
  if (account.provider === 'ncp-object-migration') {
    const timestamp = String(now);
    headers['x-ncp-apigw-timestamp'] = timestamp;
    headers['x-ncp-iam-access-key'] = account.accessKey;
    headers['x-ncp-region_code'] = account.region;
    headers['x-ncp-apigw-signature-v2'] = ncpSign(secret, method, pathAndQuery, timestamp, account.accessKey);
  } else {
    if (text !== '' && options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
    headers.host = url.host;
    headers['x-sdk-date'] = sdkDate(new Date(now));
    const signed = ['host', 'x-sdk-date', ...(headers['content-type'] !== undefined ? ['content-type'] : [])];
    const signature = huaweiSign(secret, headers['x-sdk-date'], huaweiCanonical(method, url, headers, signed, text));
    headers.authorization = `SDK-HMAC-SHA256 Access=${account.accessKey}, SignedHeaders=${[...signed].sort().join(';')}, Signature=${signature}`;
  }
  const { host: _host, ...sent } = headers;
  // node:http sends the path byte for byte (fetch would normalise `..` and re-encode), as hostile clients may.
  const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, method, path: pathAndQuery, headers: sent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(text === '' ? undefined : text);
  });
  let json: unknown;
  try {
    json = response.text === '' ? undefined : JSON.parse(response.text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text: response.text, json };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
