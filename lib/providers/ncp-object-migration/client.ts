import * as z from 'zod/mini';
import type { AccountConfig } from '../../config';
import { secretFieldsError } from '../../core/errors';
import { type HttpRequest, type HttpSettings, parseJson, sendProviderRequest } from '../../http/client';
import { NCP_PROVIDER, ncpErrorFromResponse } from './errors';
import { signNcpV2 } from './signer';
import '../../core/zod-messages';

export const NCP_DEFAULT_BASE_URL = 'https://objectmigration.apigw.ntruss.com';

export interface NcpCredentials {
  accessKey: string;
  secretKey: string;
}

const ncpSecretSchema = z.object({ accessKey: z.string().check(z.minLength(1)), secretKey: z.string().check(z.minLength(1)) });

/** The fields every secret of this provider must hold (optional ones are left out of hints). */
const REQUIRED_FIELDS = ['accessKey', 'secretKey'];

/** Reads the keys from an account's secret. Errors name the reference and the field, never a value. */
export function parseNcpSecret(secret: Record<string, unknown>, secretRef: string): NcpCredentials {
  const parsed = ncpSecretSchema.safeParse(secret);
  if (parsed.success) return { accessKey: parsed.data.accessKey, secretKey: parsed.data.secretKey };
  throw secretFieldsError(secret, secretRef, parsed.error.issues, REQUIRED_FIELDS);
}

/** `account.endpoint` (tests, the simulator, private endpoints) or the public endpoint. */
export function ncpBaseUrl(account: AccountConfig): string {
  return account.endpoint ?? NCP_DEFAULT_BASE_URL;
}

export interface NcpRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL, each segment already encoded by the caller. */
  path: string;
  query?: Record<string, string | number>;
  /** The task this call is about, so its error is attributed to it. */
  taskId?: string;
  /** Pause or start: never sent twice after a lost response (see ProviderCall.action). */
  action?: boolean;
}

export interface NcpResponse {
  status: number;
  /** The parsed JSON body; undefined when empty or not JSON. */
  json: unknown;
}

export interface NcpClientOptions {
  baseUrl: string;
  /** Sent as `x-ncp-region_code`: the region of the target bucket (e.g. KR). */
  region: string;
  credentials: NcpCredentials;
  http: HttpSettings;
  /** Clock for the signature timestamp; tests freeze it. */
  now?: () => number;
}

/** Signed NCP API Gateway calls over the shared HTTP helper (rate limit, timeout, retries). */
export class NcpClient {
  private readonly baseUrl: string;

  constructor(private readonly options: NcpClientOptions) {
    // A base URL may carry a path prefix; keep it, drop a trailing /.
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request(req: NcpRequest): Promise<NcpResponse> {
    const { credentials, http, region } = this.options;
    const now = this.options.now ?? Date.now;
    const url = new URL(`${this.baseUrl}${req.path}`);
    // Encoded by hand: URLSearchParams sends a space as `+`; the signature covers the query exactly as sent.
    url.search = Object.entries(req.query ?? {})
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
      .join('&');
    const request: HttpRequest = { method: req.method, url, headers: { Accept: 'application/json' } };
    const response = await sendProviderRequest(
      http,
      {
        provider: NCP_PROVIDER,
        taskId: req.taskId,
        action: req.action,
        // A fresh timestamp on every attempt: the gateway rejects one more than five minutes off.
        sign: (unsigned) => {
          const timestamp = String(now());
          const signature = signNcpV2({
            method: unsigned.method,
            uri: `${unsigned.url.pathname}${unsigned.url.search}`,
            timestamp,
            accessKey: credentials.accessKey,
            secretKey: credentials.secretKey,
          });
          return {
            ...unsigned,
            headers: {
              ...unsigned.headers,
              'x-ncp-apigw-timestamp': timestamp,
              'x-ncp-iam-access-key': credentials.accessKey,
              'x-ncp-apigw-signature-v2': signature,
              'x-ncp-region_code': region,
            },
          };
        },
        toError: (res) => ncpErrorFromResponse(res, { taskId: req.taskId, redact: (text) => this.redact(text) }),
      },
      request,
    );
    return { status: response.status, json: parseJson(response.text) };
  }

  /** Provider messages may echo the access key; no credential may reach an error message. */
  private redact(text: string): string {
    const { accessKey, secretKey } = this.options.credentials;
    return [accessKey, secretKey].reduce((result, value) => result.split(value).join('[redacted]'), text);
  }
}
