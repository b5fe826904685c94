import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildAccountsFile, buildSecretEnv } from './accounts';
import { echoErrorBody, echoFor } from './echo';
import {
  type Authenticator,
  presentedAccessKey,
  routeRequest,
  SIM_GATEWAYS,
  type SimAuthScheme,
  type SimGateway,
} from './gateway';
import { seededRandom } from './random';
import { DEFAULT_RATE_LIMIT, SimTokenBucket } from './rate-limit';
import { type Reply, unclaimedPath } from './replies';
import { TaskStore } from './task-store';
import { escapesTemplate, splitsIdSegment } from './template';
import type { FaultRule, RecordedRequest, SimAccount, Simulator, SimulatorOptions } from './types';

/** A 'timeout' fault holds the request this long, then drops the connection (clients give up first). */
const HELD_REQUEST_MS = 30_000;
const MAX_BODY_BYTES = 1024 * 1024;

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
  const authenticators = new Map<SimAuthScheme, Authenticator>();
  const requests: RecordedRequest[] = [];
  const held = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const inject = (rule: FaultRule) => faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  for (const rule of scenario.faults ?? []) inject(rule);

  /** Finds the account a request claims to be, before its signature is checked (faults and records need it). */
  function claimedAccount(gateway: SimGateway | undefined, headers: Record<string, string>): SimAccount | undefined {
    if (gateway === undefined) return undefined;
    const accessKey = gateway.auth.presentedAccessKey(headers);
    if (accessKey === undefined) return undefined;
    // One key may serve several gateways of the same scheme (Huawei IAM); prefer the account of the one called.
    const holders = accounts.filter((a) => a.accessKey === accessKey);
    return holders.find((a) => a.provider === gateway.key) ?? holders.find((a) => SIM_GATEWAYS[a.provider].auth === gateway.auth);
  }

  function takeFault(
    provider: RecordedRequest['provider'],
    account: SimAccount | undefined,
    method: string,
    path: string,
    headers: Record<string, string>,
  ): FaultRule | undefined {
    for (const [index, rule] of faults.entries()) {
      if (rule.provider !== undefined && rule.provider !== provider) continue;
      if (rule.account !== undefined && rule.account !== account?.name) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.pathIncludes !== undefined && !path.includes(rule.pathIncludes)) continue;
      if (rule.operation !== undefined && headers['x-amz-target']?.split('.').at(-1) !== rule.operation) continue;
      if (rule.probability !== undefined && random() >= rule.probability) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) faults.splice(index, 1);
      return rule;
    }
    return undefined;
  }

  /** One authenticator per scheme and simulator: Huawei's AK lockout spans OMS, DRS and DCS, as one IAM key does. */
  function authenticatorOf(scheme: SimAuthScheme): Authenticator {
    let authenticator = authenticators.get(scheme);
    if (authenticator === undefined) {
      authenticator = scheme.authenticator();
      authenticators.set(scheme, authenticator);
    }
    return authenticator;
  }

  function bucketOf(account: SimAccount, now: number): SimTokenBucket {
    let bucket = buckets.get(account.name);
    if (bucket === undefined) {
      bucket = new SimTokenBucket(account.rateLimit ?? DEFAULT_RATE_LIMIT, now);
      buckets.set(account.name, bucket);
    }
    return bucket;
  }

  function rateLimited(gateway: SimGateway, account: SimAccount, now: number): Reply | undefined {
    const bucket = bucketOf(account, now);
    return bucket.tryTake(now) ? undefined : gateway.throttled(Math.floor(bucket.currentPerSecond));
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const rawUrl = request.url ?? '/';
    const headers = lowerHeaders(request);
    const body = await readBody(request);
    const [rawPath = '/', rawQuery = ''] = splitUrl(rawUrl);
    const { gateway, route } = routeRequest(method, rawPath, headers);
    const provider = gateway?.key ?? 'unknown';
    const account = claimedAccount(gateway, headers);
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

    const fault = takeFault(provider, account, method, rawUrl, headers);
    if (fault !== undefined) record.fault = fault.kind;
    // Until the request is authenticated, an echoing provider quotes only the access key it presented.
    let echo = echoFor(scenario.echoSecrets, {
      authenticated: false,
      presentedAccessKey: presentedAccessKey(headers),
    });
    const send = (answered: Reply) => {
      const reply = answered.status >= 400 ? { ...answered, body: echoErrorBody(answered.body, echo) } : answered;
      if (fault?.kind === 'drop-after-apply') {
        // The work is done (an action applied above stays applied); the answer never leaves.
        request.socket.destroy();
        return;
      }
      record.status = reply.status;
      const text = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
      const replyHeaders: Record<string, string | number> = { 'content-length': Buffer.byteLength(text) };
      if (reply.raw !== undefined || reply.body !== undefined)
        replyHeaders['content-type'] = reply.contentType ?? 'application/json;charset=UTF-8';
      if (gateway !== undefined) Object.assign(replyHeaders, gateway.responseHeaders(at));
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
      const limit = Math.floor(
        account === undefined ? DEFAULT_RATE_LIMIT.perSecond : bucketOf(account, Date.now()).currentPerSecond,
      );
      const status = fault.status ?? 500;
      send(gateway === undefined ? unclaimedPath(status) : gateway.fault(status, limit));
      return;
    }
    // No gateway claims the path: the simulator's own 404, not any provider's (no provider would have been reached).
    if (gateway === undefined) {
      send(unclaimedPath(404));
      return;
    }
    // The gateway resolves the API before it authenticates: an unknown route is a 404 whoever asks.
    if (route === undefined) {
      send(gateway.notFound());
      return;
    }
    const now = Date.now();
    const verdict = authenticatorOf(gateway.auth)(
      { method, rawUrl, path: rawPath, query: rawQuery, headers, body },
      gateway.key,
      account,
      now,
    );
    if (!verdict.ok || account === undefined) {
      send(gateway.authFailed(verdict.ok ? 'unknown access key' : verdict.reason));
      return;
    }
    echo = echoFor(scenario.echoSecrets, { account, authenticated: true });
    const refused = gateway.admit(headers, account, route);
    if (refused !== undefined) {
      send(refused);
      return;
    }
    const throttledReply = rateLimited(gateway, account, now);
    if (throttledReply !== undefined) {
      record.throttled = true;
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
