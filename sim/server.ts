import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ProviderKey } from '../lib/providers/types';
import { buildAccountsFile, buildSecretEnv } from './accounts';
import { echoErrorBody, echoFor } from './echo';
import { parseAuthorization, verifyHuaweiRequest } from './huawei-signature';
import { verifyNcpRequest } from './ncp-signature';
import type { MatchedRoute } from './providers/context';
import { matchDcs } from './providers/dcs';
import { matchDrs } from './providers/drs';
import { matchNcp } from './providers/ncp';
import { matchOms } from './providers/oms';
import { seededRandom } from './random';
import { DEFAULT_RATE_LIMIT, SimTokenBucket } from './rate-limit';
import {
  CHOSEN_CODES,
  faultReply,
  gatewayError,
  huaweiAuthFailed,
  NCP_AUTH_FAILED,
  notFoundRoute,
  type Reply,
  throttled,
} from './replies';
import { TaskStore } from './task-store';
import { escapesTemplate, splitsIdSegment } from './template';
import type { FaultRule, RecordedRequest, SimAccount, Simulator, SimulatorOptions } from './types';

/** A 'timeout' fault holds the request this long, then drops the connection (clients give up first). */
const HELD_REQUEST_MS = 30_000;
/** APIG: five AK/SK authentication failures in a row lock the key for five minutes (providers.md section 5). */
const HUAWEI_LOCK_AFTER = 5;
const HUAWEI_LOCK_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;

interface Routed {
  provider: ProviderKey | 'unknown';
  route?: MatchedRoute;
}

/** Which provider a path belongs to (their prefixes do not collide) and which of its endpoints it names. */
export function routeRequest(method: string, rawPath: string): Routed {
  const segments = rawPath.split('/').slice(1);
  const [root, second, collection, ...rest] = segments;
  if (root === 'migration-api') {
    return { provider: 'ncp-object-migration', route: second === 'v1' ? matchNcp(method, segments.slice(2)) : undefined };
  }
  if (second === undefined || second === '') return { provider: 'unknown' };
  const projectId = decodeURIComponentSafe(second);
  if (projectId === undefined) return { provider: 'unknown' };
  if (root === 'v2' && collection === 'tasks') return { provider: 'huawei-oms', route: matchOms(projectId, method, rest) };
  if (root === 'v3' && collection === 'jobs') return { provider: 'huawei-drs', route: matchDrs(projectId, method, rest) };
  if (root === 'v2' && (collection === 'migration-task' || collection === 'migration-tasks')) {
    return { provider: 'huawei-dcs', route: matchDcs(projectId, method, collection, rest) };
  }
  return { provider: 'unknown' };
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function lowerHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { scenario } = options;
  const transitionMs = scenario.transitionMs ?? 100;
  const latencyMs = scenario.latencyMs ?? 0;
  const random = seededRandom(scenario.seed ?? 1);
  const store = new TaskStore(scenario.tasks, () => Date.now());
  const accounts: SimAccount[] = scenario.accounts.map((a) => ({ ...a }));
  const buckets = new Map<string, SimTokenBucket>();
  const faults: Array<FaultRule & { remaining: number }> = [];
  const huaweiFailures = new Map<string, { count: number; lockedUntil: number }>();
  const requests: RecordedRequest[] = [];
  const held = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const inject = (rule: FaultRule) => faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  for (const rule of scenario.faults ?? []) inject(rule);

  /** Finds the account a request claims to be, before its signature is checked (faults and records need it). */
  function claimedAccount(provider: ProviderKey | 'unknown', headers: Record<string, string>): SimAccount | undefined {
    if (provider === 'unknown') return undefined;
    const accessKey =
      provider === 'ncp-object-migration'
        ? headers['x-ncp-iam-access-key']
        : parseAuthorization(headers.authorization)?.accessKey;
    if (accessKey === undefined) return undefined;
    // One Huawei key may serve several services; prefer the account of the service called.
    const holders = accounts.filter((a) => a.accessKey === accessKey);
    return (
      holders.find((a) => a.provider === provider) ??
      holders.find((a) => (a.provider === 'ncp-object-migration') === (provider === 'ncp-object-migration'))
    );
  }

  function takeFault(
    provider: ProviderKey | 'unknown',
    account: SimAccount | undefined,
    method: string,
    path: string,
  ): FaultRule | undefined {
    for (const [index, rule] of faults.entries()) {
      if (rule.provider !== undefined && rule.provider !== provider) continue;
      if (rule.account !== undefined && rule.account !== account?.name) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.pathIncludes !== undefined && !path.includes(rule.pathIncludes)) continue;
      if (rule.probability !== undefined && random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) faults.splice(index, 1);
      return rule;
    }
    return undefined;
  }

  function authenticate(
    provider: ProviderKey,
    account: SimAccount | undefined,
    method: string,
    rawUrl: string,
    headers: Record<string, string>,
    body: Buffer,
    now: number,
  ): Reply | undefined {
    if (provider === 'ncp-object-migration') {
      if (account === undefined || account.provider !== provider) return NCP_AUTH_FAILED;
      return verifyNcpRequest({ method, uri: rawUrl, headers }, account.secretKey, now) ? undefined : NCP_AUTH_FAILED;
    }
    const auth = parseAuthorization(headers.authorization);
    if (auth === undefined) return huaweiAuthFailed('missing or malformed Authorization (SDK-HMAC-SHA256 expected)');
    const record = huaweiFailures.get(auth.accessKey) ?? { count: 0, lockedUntil: 0 };
    if (record.lockedUntil > now) return huaweiAuthFailed('the AK is locked after repeated authentication failures');
    const [path = '', query = ''] = splitUrl(rawUrl);
    const verdict =
      account === undefined
        ? { ok: false as const, reason: 'unknown AK' }
        : verifyHuaweiRequest({ method, path, query, headers, body }, auth, account.secretKey, now);
    if (verdict.ok) {
      huaweiFailures.delete(auth.accessKey);
      return undefined;
    }
    record.count += 1;
    if (record.count >= HUAWEI_LOCK_AFTER) {
      record.count = 0;
      record.lockedUntil = now + HUAWEI_LOCK_MS;
    }
    huaweiFailures.set(auth.accessKey, record);
    return huaweiAuthFailed(verdict.reason);
  }

  function rateLimited(account: SimAccount, now: number): Reply | undefined {
    const limit = account.rateLimit ?? DEFAULT_RATE_LIMIT;
    let bucket = buckets.get(account.name);
    if (bucket === undefined) {
      bucket = new SimTokenBucket(limit.perSecond, limit.burst, now);
      buckets.set(account.name, bucket);
    }
    return bucket.tryTake(now) ? undefined : throttled(account.provider, Math.floor(limit.perSecond));
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const headers = lowerHeaders(request);
    const body = await readBody(request);
    const [rawPath = '/', rawQuery = ''] = splitUrl(rawUrl);
    const { provider, route } = routeRequest(method, rawPath);
    const account = claimedAccount(provider, headers);
    const record: RecordedRequest = {
      provider,
      method,
      path: rawUrl,
      headers,
      body: body.toString('utf8'),
      status: 0,
      at,
      escapesTemplate: escapesTemplate(rawPath) || (route === undefined && splitsIdSegment(method, rawPath)),
    };
    if (account !== undefined) record.account = account.name;
    requests.push(record);

    const fault = takeFault(provider, account, method, rawUrl);
    if (fault !== undefined) record.fault = fault.kind;
    // Until the request is authenticated, an echoing provider quotes only the access key it presented.
    let echo = echoFor(scenario.echoSecrets, {
      authenticated: false,
      presentedAccessKey: headers['x-ncp-iam-access-key'] ?? parseAuthorization(headers.authorization)?.accessKey,
    });
    const send = (answered: Reply) => {
      const reply = answered.status >= 400 ? { ...answered, body: echoErrorBody(answered.body, echo) } : answered;
      if (fault?.kind === 'drop-after-apply') {
        // The work is done (an action applied above stays applied); the answer never leaves.
        request.socket.destroy();
        return;
      }
      record.status = reply.status;
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      const replyHeaders: Record<string, string | number> = { 'content-length': Buffer.byteLength(text) };
      if (reply.body !== undefined) replyHeaders['content-type'] = 'application/json;charset=UTF-8';
      if (provider !== 'ncp-object-migration' && provider !== 'unknown') replyHeaders['x-request-id'] = String(at);
      response.writeHead(reply.status, replyHeaders);
      response.end(text);
    };

    if (fault?.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'timeout') {
      const timer = setTimeout(() => {
        held.delete(timer);
        request.socket.destroy();
      }, HELD_REQUEST_MS);
      held.add(timer);
      request.socket.once('close', () => {
        clearTimeout(timer);
        held.delete(timer);
      });
      return;
    }
    if (latencyMs > 0) await sleep(latencyMs);
    if (fault?.kind === 'http') {
      const limit = Math.floor((account?.rateLimit ?? DEFAULT_RATE_LIMIT).perSecond);
      send(faultReply(provider, fault.status ?? 500, limit));
      return;
    }
    // The gateway resolves the API before it authenticates: an unknown route is a 404 whoever asks.
    if (provider === 'unknown' || route === undefined) {
      send(
        notFoundRoute(
          provider === 'unknown' && headers['x-ncp-iam-access-key'] !== undefined ? 'ncp-object-migration' : provider,
        ),
      );
      return;
    }
    const now = Date.now();
    const refused = authenticate(provider, account, method, rawUrl, headers, body, now);
    if (refused !== undefined || account === undefined) {
      send(refused ?? NCP_AUTH_FAILED);
      return;
    }
    echo = echoFor(scenario.echoSecrets, { account, authenticated: true });
    if (provider !== 'ncp-object-migration') {
      const projectHeader = headers['x-project-id'];
      if (
        account.provider !== provider ||
        route.projectId !== account.projectId ||
        (projectHeader !== undefined && projectHeader !== account.projectId)
      ) {
        send(
          gatewayError(403, CHOSEN_CODES.gatewayForbidden, 'The IAM user is not authorized to access this project or service.'),
        );
        return;
      }
    } else if (headers['x-ncp-region_code'] !== account.region) {
      send({
        status: 400,
        body: { error: { errorCode: CHOSEN_CODES.ncpBadRequest, message: 'x-ncp-region_code is missing or does not match' } },
      });
      return;
    }
    const throttledReply = rateLimited(account, now);
    if (throttledReply !== undefined) {
      send(throttledReply);
      return;
    }
    send(
      route.handle({
        method,
        query: new URLSearchParams(rawQuery),
        rawQuery,
        headers,
        body: body.toString('utf8'),
        account,
        store,
        transitionMs: account.transitionMs ?? transitionMs,
        now,
        echo,
      }),
    );
  }

  const server = createServer((request, response) => {
    answer(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error_code: 'SIM.0000', error_msg: 'simulator internal error' }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;

  return {
    url,
    requests,
    applied: store.applied,
    inject,
    clearFaults: () => {
      faults.length = 0;
    },
    task: (provider, id) => {
      const stored = store.get(provider, id);
      return stored === undefined ? undefined : { ...stored.task };
    },
    setTaskState: (provider, id, state) => {
      if (!store.override(provider, id, state)) throw new Error(`simulator: no ${provider} task ${id}`);
    },
    accountsFile: (fileOptions) => buildAccountsFile(accounts, url, fileOptions),
    secretEnv: () => buildSecretEnv(accounts),
    close: async () => {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function splitUrl(rawUrl: string): [string, string] {
  const index = rawUrl.indexOf('?');
  return index === -1 ? [rawUrl, ''] : [rawUrl.slice(0, index), rawUrl.slice(index + 1)];
}
