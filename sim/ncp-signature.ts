import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * NCP API Gateway signature v2, verified independently of lib's signer (providers.md section 1):
 * Base64(HMAC-SHA256(secretKey, METHOD + " " + URI + "\n" + timestamp + "\n" + accessKey)),
 * where URI is the path plus query exactly as received.
 */
export function ncpSignature(secretKey: string, method: string, uri: string, timestamp: string, accessKey: string): string {
  const message = `${method} ${uri}\n${timestamp}\n${accessKey}`;
  return createHmac('sha256', secretKey).update(message, 'utf8').digest('base64');
}

/** The gateway rejects timestamps more than five minutes from its clock. */
export const NCP_MAX_SKEW_MS = 5 * 60 * 1000;

export interface NcpSignedRequest {
  method: string;
  /** Raw path + query as received. */
  uri: string;
  headers: Record<string, string>;
}

/** True when the request carries a valid, fresh signature made with `secretKey`. */
export function verifyNcpRequest(request: NcpSignedRequest, secretKey: string, now: number): boolean {
  const timestamp = request.headers['x-ncp-apigw-timestamp'];
  const accessKey = request.headers['x-ncp-iam-access-key'];
  const signature = request.headers['x-ncp-apigw-signature-v2'];
  if (timestamp === undefined || accessKey === undefined || signature === undefined) return false;
  if (!/^\d{1,16}$/.test(timestamp)) return false;
  if (Math.abs(now - Number(timestamp)) > NCP_MAX_SKEW_MS) return false;
  return sameText(signature, ncpSignature(secretKey, request.method, request.uri, timestamp, accessKey));
}

export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
