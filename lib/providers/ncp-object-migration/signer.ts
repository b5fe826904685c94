import { createHmac } from 'node:crypto';

export interface NcpSignatureInput {
  method: string;
  /** The escaped path plus `?query`, no scheme or host: exactly what is sent on the wire. */
  uri: string;
  /** Milliseconds since the epoch, as sent in `x-ncp-apigw-timestamp`. */
  timestamp: string;
  accessKey: string;
  secretKey: string;
}

/**
 * NCP API Gateway signature v2 (providers.md §1):
 * Base64(HMAC-SHA256(secretKey, METHOD + " " + URI + "\n" + timestamp + "\n" + accessKey)).
 */
export function signNcpV2({ method, uri, timestamp, accessKey, secretKey }: NcpSignatureInput): string {
  const message = `${method} ${uri}\n${timestamp}\n${accessKey}`;
  return createHmac('sha256', secretKey).update(message, 'utf8').digest('base64');
}
