import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../../lib/http/adaptive-limiter';
import { DEFAULT_RETRY } from '../../../lib/http/client';
import { TokenBucket } from '../../../lib/http/rate-limiter';
import { awsDmsAdapter, clearAssumedRoles } from '../../../lib/providers/aws-dms';
import type { ProviderTask } from '../../../lib/providers/types';
import { generateScenario, type RecordedRequest, type Scenario, type Simulator, startSimulator } from '../../../sim';
import { describeAdapterContract } from '../../helpers/adapter-contract';
import { openSimSession, type SessionOptions } from '../../helpers/session';

const PROVIDER = 'aws-dms' as const;
const ACCOUNT = 'dms-main';
const OPTIONS = { force: false } as const;
const ROLE = 'arn:aws:iam::000000000000:role/fake-dms-operator';
const EXTERNAL_ID = 'fake-external-id-0001';
const ARN = (n: number) => `arn:aws:dms:ap-northeast-2:000000000000:task:FAKETASK${String(n).padStart(6, '0')}`;

describeAdapterContract('aws-dms', {
  adapter: awsDmsAdapter,
  // More tasks than one DescribeReplicationTasks page (100) holds, so listing pages by Marker.
  scenario: () => ({ ...generateScenario({ seed: 5, tasksPerProvider: 130, providers: [PROVIDER] }), transitionMs: 30 }),
});

function scenario(
  tasks: Array<{ n: number; state: string; stopReason?: string }>,
  account: Partial<Scenario['accounts'][number]> = {},
): Scenario {
  return {
    transitionMs: 30,
    accounts: [
      {
        name: ACCOUNT,
        provider: PROVIDER,
        region: 'ap-northeast-2',
        accessKey: 'AKIAFAKEDMS0000001',
        secretKey: 'FAKE-DMS-BASE-SECRET-0001',
        roleArn: ROLE,
        externalId: EXTERNAL_ID,
        ...account,
      },
    ],
    tasks: tasks.map(({ n, state, stopReason }) => ({
      provider: PROVIDER,
      account: ACCOUNT,
      id: ARN(n),
      name: `orders-${n}`,
      state,
      ...(stopReason === undefined ? {} : { stopReason }),
    })),
  };
}

const open: Simulator[] = [];
beforeEach(() => clearAssumedRoles());
afterEach(async () => {
  clearAssumedRoles();
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

async function openDms(s: Scenario, sessionOptions?: SessionOptions) {
  const sim = await startSimulator({ scenario: s });
  open.push(sim);
  return { sim, session: openSimSession(awsDmsAdapter, sim, ACCOUNT, sessionOptions).session };
}

const aTask = (n: number, phase: ProviderTask['phase'] = 'running'): ProviderTask => ({
  provider: PROVIDER,
  account: ACCOUNT,
  taskId: ARN(n),
  name: `orders-${n}`,
  state: phase === 'paused' ? 'stopped' : 'running',
  phase,
});
const isSts = (r: RecordedRequest) => r.headers['x-amz-target'] === undefined;
const targetOf = (r: RecordedRequest) => r.headers['x-amz-target']?.replace('AmazonDMSv20160101.', '');
const bodyOf = (r: RecordedRequest | undefined) => JSON.parse(r?.body ?? '{}') as Record<string, unknown>;

async function waitForState(sim: Simulator, id: string, state: string, deadlineMs = 2_000): Promise<string | undefined> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const current = sim.task(PROVIDER, id)?.state;
    if (current === state || Date.now() > until) return current;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('aws-dms over HTTP (AWS JSON 1.1, SigV4, STS)', () => {
  it('assumes the account’s role once, with its ExternalId, and calls DMS only with the role’s session', async () => {
    const { sim, session } = await openDms(scenario([{ n: 1, state: 'running' }]));

    await session.list();
    await session.get([ARN(1)]);

    const [first, ...rest] = sim.requests;
    expect(first && isSts(first)).toBe(true);
    const form = new URLSearchParams(first?.body);
    expect(Object.fromEntries(form)).toMatchObject({ Action: 'AssumeRole', RoleArn: ROLE, ExternalId: EXTERNAL_ID });
    expect(first?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEDMS0000001\/\d{8}\/ap-northeast-2\/sts\//);
    expect(rest.map(targetOf)).toEqual(['DescribeReplicationTasks', 'DescribeReplicationTasks']);
    for (const request of rest) {
      expect(request.status).toBe(200);
      expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAFAKE\w+\/\d{8}\/ap-northeast-2\/dms\//);
      expect(request.headers['x-amz-security-token']).toMatch(/^FAKE-STS-TOKEN\./);
    }
  });

  it('lists every task over pages of 100 by Marker, without their settings', async () => {
    const tasks = Array.from({ length: 230 }, (_, i) => ({ n: i + 1, state: i % 3 === 0 ? 'stopped' : 'running' }));
    const { sim, session } = await openDms(scenario(tasks));

    const listed = await session.list();

    expect(listed.map((t) => t.taskId)).toEqual(tasks.map((t) => ARN(t.n)));
    expect(listed.filter((t) => t.phase === 'paused')).toHaveLength(77);
    const describes = sim.requests.filter((r) => targetOf(r) === 'DescribeReplicationTasks').map(bodyOf);
    expect(describes.map((b) => [b.MaxRecords, b.WithoutSettings, typeof b.Marker])).toEqual([
      [100, true, 'undefined'],
      [100, true, 'string'],
      [100, true, 'string'],
    ]);
  });

  it('stops a running task, which DMS shows stopping, then stopped', async () => {
    const { sim, session } = await openDms(scenario([{ n: 1, state: 'running' }]));

    const [result] = await session.pause([aTask(1)], OPTIONS);

    expect(result).toEqual({ taskId: ARN(1), ok: true });
    expect(sim.task(PROVIDER, ARN(1))?.state).toBe('stopping');
    expect((await session.get([ARN(1)])).get(ARN(1))).toMatchObject({ phase: 'pausing' });
    expect(await waitForState(sim, ARN(1), 'stopped')).toBe('stopped');
    expect((await session.get([ARN(1)])).get(ARN(1))).toMatchObject({
      phase: 'paused',
      details: { stopReason: 'Stop Reason NORMAL' },
    });
  });

  it('resumes a stopped task with resume-processing: starting, then running', async () => {
    const { sim, session } = await openDms(scenario([{ n: 1, state: 'stopped' }]));

    const [result] = await session.resume([aTask(1, 'paused')], OPTIONS);

    expect(result).toEqual({ taskId: ARN(1), ok: true });
    const start = sim.requests.find((r) => targetOf(r) === 'StartReplicationTask');
    expect(bodyOf(start)).toEqual({ ReplicationTaskArn: ARN(1), StartReplicationTaskType: 'resume-processing' });
    expect(sim.task(PROVIDER, ARN(1))?.state).toBe('starting');
    expect(await waitForState(sim, ARN(1), 'running')).toBe('running');
  });

  it('refuses to stop a task that is not running (invalid-state) and an unknown one (not-found), each alone', async () => {
    const { session } = await openDms(
      scenario([
        { n: 1, state: 'stopped' },
        { n: 2, state: 'running' },
      ]),
    );

    const results = await session.pause([aTask(1), aTask(3), aTask(2)], OPTIONS);

    expect(results).toMatchObject([
      { taskId: ARN(1), ok: false, error: { errorClass: 'invalid-state', providerCode: 'InvalidResourceStateFault' } },
      { taskId: ARN(3), ok: false, error: { errorClass: 'not-found', providerCode: 'ResourceNotFoundFault' } },
      { taskId: ARN(2), ok: true },
    ]);
  });

  it('reads a finished full load and a failed task for what they are, not as paused', async () => {
    const { session } = await openDms(
      scenario([
        { n: 1, state: 'stopped', stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' },
        { n: 2, state: 'stopped', stopReason: 'Stop Reason FATAL_ERROR' },
        { n: 3, state: 'failed' },
      ]),
    );

    const listed = await session.list();

    expect(listed.map((t) => t.phase)).toEqual(['finished', 'failed', 'failed']);
  });

  it('slows down to DMS’s throttling through the account’s adaptive limiter and gets every page', async () => {
    const tasks = Array.from({ length: 250 }, (_, i) => ({ n: i + 1, state: 'running' }));
    // One request a second, two at once: the STS call and the first page spend the burst. The client starts at the
    // default 5/s with the default retries, as a run does.
    const { sim, session } = await openDms(scenario(tasks, { rateLimit: { perSecond: 1, burst: 2 } }), {
      http: { limiter: new AdaptiveLimiter({ perSecond: 5, burst: 5, ceiling: 5 }), retry: DEFAULT_RETRY },
    });

    const listed = await session.list();

    expect(listed).toHaveLength(250);
    const throttled = sim.requests.filter((r) => r.status === 400 && targetOf(r) === 'DescribeReplicationTasks');
    expect(throttled.length).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('assumes the role before a burst of stops takes its turns, not behind them (a worker whose first call is a stop)', async () => {
    const tasks = Array.from({ length: 20 }, (_, i) => ({ n: i + 1, state: 'running' }));
    // 10 a second, one at once: the 20 stops take 2 s of turns, and a call waits for every turn taken before it.
    const { sim, session } = await openDms(scenario(tasks), { http: { limiter: new TokenBucket(10, 1) } });
    const startedAt = Date.now();

    const results = await session.pause(
      tasks.map((t) => aTask(t.n)),
      OPTIONS,
    );

    expect(results.every((r) => r.ok)).toBe(true);
    const [assume, ...stops] = sim.requests;
    expect(assume && isSts(assume)).toBe(true);
    // Behind the stops, the role would be assumed after their 2 s of turns, and all 20 sent at once after it.
    expect((assume?.at ?? Number.POSITIVE_INFINITY) - startedAt).toBeLessThan(1_000);
    expect(stops.map(targetOf)).toEqual(tasks.map(() => 'StopReplicationTask'));
    expect((stops.at(-1)?.at ?? 0) - (stops[0]?.at ?? 0)).toBeGreaterThan(1_000);
  }, 10_000);

  it('does not send a stop again when its answer never comes: the task is read back instead (maybeApplied)', async () => {
    const { sim, session } = await openDms(scenario([{ n: 1, state: 'running' }]), { http: { timeoutMs: 300 } });
    await session.list();
    sim.inject({ provider: PROVIDER, kind: 'timeout', operation: 'StopReplicationTask', times: 1 });

    const [result] = await session.pause([aTask(1)], OPTIONS);

    expect(result).toMatchObject({ ok: false, error: { errorClass: 'retryable', maybeApplied: true } });
    expect(sim.requests.filter((r) => targetOf(r) === 'StopReplicationTask')).toHaveLength(1);
  });

  it('reads again after a connection reset', async () => {
    const { sim, session } = await openDms(scenario([{ n: 1, state: 'running' }]));
    await session.list();
    sim.inject({ provider: PROVIDER, kind: 'reset', operation: 'DescribeReplicationTasks', times: 1 });

    const read = await session.get([ARN(1)]);

    expect(read.get(ARN(1))).toMatchObject({ phase: 'running' });
    expect(sim.requests.filter((r) => r.fault === 'reset')).toHaveLength(1);
  });

  it('fails with auth, naming the role, when the ExternalId is wrong; DMS is never called', async () => {
    const { sim } = await openDms(scenario([{ n: 1, state: 'running' }]));
    const { context } = openSimSession(awsDmsAdapter, sim, ACCOUNT);
    const session = awsDmsAdapter.open({ ...context, account: { ...context.account, externalId: 'fake-other-external-id' } });

    const failure = session.list();

    await expect(failure).rejects.toMatchObject({ errorClass: 'auth', providerCode: 'AccessDenied' });
    await expect(failure).rejects.toThrow(/fake-dms-operator/);
    expect(sim.requests.filter((r) => !isSts(r))).toHaveLength(0);
  });

  it('is refused by DMS when an account with a role signs with its own keys instead', async () => {
    const { sim } = await openDms(scenario([{ n: 1, state: 'running' }]));
    const { context } = openSimSession(awsDmsAdapter, sim, ACCOUNT);
    const { roleArn: _role, externalId: _external, stsEndpoint: _sts, ...withoutRole } = context.account;
    const session = awsDmsAdapter.open({ ...context, account: withoutRole });

    await expect(session.list()).rejects.toMatchObject({ errorClass: 'auth', providerCode: 'AccessDeniedException' });
  });

  it('calls DMS with the secret’s own keys when the account names no role', async () => {
    const { sim, session } = await openDms(scenario([{ n: 1, state: 'running' }], { roleArn: undefined, externalId: undefined }));

    const listed = await session.list();

    expect(listed.map((t) => t.taskId)).toEqual([ARN(1)]);
    expect(sim.requests.filter(isSts)).toHaveLength(0);
    expect(sim.requests[0]?.headers.authorization).toMatch(/Credential=AKIAFAKEDMS0000001\//);
  });
});
