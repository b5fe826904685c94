import * as z from 'zod/mini';
import type { AccountConfig } from '../../config';
import { secretFieldsError } from '../../core/errors';
import { type HttpRequest, type HttpSettings, parseJson, sendProviderRequest } from '../../http/client';
import type { ProviderKey } from '../types';
import { type ClassifyCode, huaweiErrorFromResponse } from './errors';
import { signHuaweiRequest } from './signer';
import '../../core/zod-messages';

/** The keys that sign requests for one Huawei account (not the OMS task keys, which the OMS adapter reads). */
export interface HuaweiCredentials {
  ak: string;
  sk: string;
  securityToken?: string;
  projectId?: string;
}

const huaweiSecretSchema = z.object({
  ak: z.string().check(z.minLength(1)),
  sk: z.string().check(z.minLength(1)),
  securityToken: z.optional(z.string().check(z.minLength(1))),
  projectId: z.optional(z.string().check(z.minLength(1))),
});

/** The fields every secret of this provider must hold (optional ones are left out of hints). */
const REQUIRED_FIELDS = ['ak', 'sk'];

/**
 * Reads the signing keys from an account's secret. A missing or malformed field names the reference and the
 * field, never a value.
 */
export function parseHuaweiSecret(secret: Record<string, unknown>, secretRef: string): HuaweiCredentials {
  const parsed = huaweiSecretSchema.safeParse(secret);
  if (parsed.success) {
    const { ak, sk, securityToken, projectId } = parsed.data;
    return { ak, sk, ...(securityToken ? { securityToken } : {}), ...(projectId ? { projectId } : {}) };
  }
  throw secretFieldsError(secret, secretRef, parsed.error.issues, REQUIRED_FIELDS);
}

export type HuaweiService = 'oms' | 'drs' | 'dcs';

/** `account.endpoint` (tests, the simulator, private endpoints) or the public regional endpoint. */
export function huaweiBaseUrl(service: HuaweiService, account: AccountConfig): string {
  return account.endpoint ?? `https://${service}.${account.region}.myhuaweicloud.com`;
}

export interface HuaweiRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Full path, e.g. `/v3/${projectId}/jobs/batch-status`; each segment already encoded by the caller. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON-encoded by the client. */
  body?: unknown;
  /** The task this call is about, so its error is attributed to it. */
  taskId?: string;
  /** A pause, stop, resume or restart: never sent twice after a lost response (see ProviderCall.action). */
  action?: boolean;
}

export interface HuaweiResponse {
  status: number;
  /** The parsed JSON body; undefined when empty (OMS stop/start answer 200 with no body). */
  json: unknown;
  attempts: number;
}

export interface HuaweiClientOptions {
  provider: ProviderKey;
  baseUrl: string;
  projectId: string;
  credentials: HuaweiCredentials;
  http: HttpSettings;
  /** Service-specific codes → class, consulted before the gateway/common mapping; return undefined to fall through. */
  classifyCode?: ClassifyCode;
}

/** The one way OMS, DRS and DCS adapters talk to Huawei: signed JSON over the shared HTTP helper. */
export class HuaweiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: HuaweiClientOptions) {
    // A base URL may carry a path prefix (the simulator mounts each provider under one); keep it, drop a trailing /.
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async request(req: HuaweiRequest): Promise<HuaweiResponse> {
    const { provider, credentials, http, classifyCode, projectId } = this.options;
    const url = new URL(`${this.baseUrl}${req.path}`);
    // Encoded by hand: URLSearchParams sends a space as `+`, which gateways may read literally while we sign %20.
    url.search = Object.entries(req.query ?? {})
      .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
      .join('&');
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Project-Id': projectId };
    if (credentials.securityToken) headers['X-Security-Token'] = credentials.securityToken;
    const request: HttpRequest = {
      method: req.method,
      url,
      headers,
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    };
    const response = await sendProviderRequest(
      http,
      {
        provider,
        taskId: req.taskId,
        action: req.action,
        sign: (unsigned) => ({
          ...unsigned,
          headers: signHuaweiRequest(
            { method: unsigned.method, url: unsigned.url, headers: unsigned.headers, body: unsigned.body ?? '' },
            credentials,
            new Date(),
          ),
        }),
        toError: (res) =>
          huaweiErrorFromResponse(res, { provider, taskId: req.taskId, classifyCode, redact: (text) => this.redact(text) }),
      },
      request,
    );
    return { status: response.status, json: parseJson(response.text), attempts: response.attempts };
  }

  /** Provider messages sometimes echo the access key; no credential may reach an error message. */
  private redact(text: string): string {
    const { ak, sk, securityToken } = this.options.credentials;
    let result = text;
    for (const value of [ak, sk, securityToken]) {
      if (value) result = result.split(value).join('[redacted]');
    }
    return result;
  }
}
