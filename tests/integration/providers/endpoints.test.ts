import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionOptions } from '../../../lib/core/command';
import { adapters } from '../../../lib/providers/registry';
import type { ProviderKey, ProviderSession } from '../../../lib/providers/types';
import { type RecordedRequest, type Scenario, type Simulator, startSimulator } from '../../../sim';
import { openSimSession } from '../../helpers/session';

/**
 * The wire contract of every endpoint in providers.md that we call: for each provider and operation, the
 * method, the path, the signing headers and the body the adapter actually sends (as the simulator recorded it).
 */
const DRS_JOB = '00000000-0000-4000-8000-0000000000a1';
const DMS_TASK = 'arn:aws:dms:ap-northeast-2:000000000000:task:FAKEDMSTASK0000000001';
const OPTIONS: ActionOptions = { force: false, 'huawei-drs': { pauseMode: 'all' }, 'huawei-oms': { migrateFailedObject: true } };

const scenario: Scenario = {
  transitionMs: 10,
  accounts: [
    { name: 'ncp', provider: 'ncp-object-migration', region: 'KR', accessKey: 'FAKE-NCP-AK', secretKey: 'FAKE-NCP-SK' },
    {
      name: 'oms',
      provider: 'huawei-oms',
      region: 'r1',
      projectId: 'fakeprojoms',
      accessKey: 'FAKE-OMS-AK',
      secretKey: 'FAKE-OMS-SK',
      oms: { dst_ak: 'FAKE-DST-AK', dst_sk: 'FAKE-DST-SK' },
    },
    {
      name: 'drs',
      provider: 'huawei-drs',
      region: 'r1',
      projectId: 'fakeprojdrs',
      accessKey: 'FAKE-DRS-AK',
      secretKey: 'FAKE-DRS-SK',
    },
    {
      name: 'dcs',
      provider: 'huawei-dcs',
      region: 'r1',
      projectId: 'fakeprojdcs',
      accessKey: 'FAKE-DCS-AK',
      secretKey: 'FAKE-DCS-SK',
    },
    {
      name: 'dms',
      provider: 'aws-dms',
      region: 'ap-northeast-2',
      accessKey: 'FAKE-DMS-AK',
      secretKey: 'FAKE-DMS-SK',
      roleArn: 'arn:aws:iam::000000000000:role/fake-dms-operator',
      externalId: 'fake-external-id',
    },
  ],
  tasks: [
    { provider: 'ncp-object-migration', account: 'ncp', id: '테스트', name: '테스트', state: 'STARTED' },
    { provider: 'aws-dms', account: 'dms', id: DMS_TASK, name: 'orders-cdc', state: 'running' },
    { provider: 'huawei-oms', account: 'oms', id: '123456789012345', name: 'oms-1', state: '2' },
    { provider: 'huawei-drs', account: 'drs', id: DRS_JOB, name: 'drs-1', state: 'INCRE_TRANSFER_STARTED' },
    { provider: 'huawei-dcs', account: 'dcs', id: 'dcs-task-1', name: 'dcs-1', state: 'MIGRATING' },
  ],
};

type Operation = 'list' | 'get' | 'pause' | 'resume';
interface Row {
  provider: ProviderKey;
  account: string;
  taskId: string;
  operation: Operation;
  method: string;
  path: RegExp;
  /** AWS JSON: the operation named in X-Amz-Target (every call is a POST to /). */
  target?: string;
  body?: unknown;
}

const rows: Row[] = [
  {
    provider: 'ncp-object-migration',
    account: 'ncp',
    taskId: '테스트',
    operation: 'list',
    method: 'GET',
    path: /^\/migration-api\/v1\/policies\?.*limit=100.*page=0/,
  },
  {
    provider: 'ncp-object-migration',
    account: 'ncp',
    taskId: '테스트',
    operation: 'get',
    method: 'GET',
    path: /^\/migration-api\/v1\/policy\/%ED%85%8C%EC%8A%A4%ED%8A%B8$/,
  },
  {
    provider: 'ncp-object-migration',
    account: 'ncp',
    taskId: '테스트',
    operation: 'pause',
    method: 'POST',
    path: /^\/migration-api\/v1\/policy\/%ED%85%8C%EC%8A%A4%ED%8A%B8\/pause$/,
    body: '',
  },
  {
    provider: 'ncp-object-migration',
    account: 'ncp',
    taskId: '테스트',
    operation: 'resume',
    method: 'POST',
    path: /^\/migration-api\/v1\/policy\/%ED%85%8C%EC%8A%A4%ED%8A%B8\/start$/,
    body: '',
  },
  {
    provider: 'huawei-oms',
    account: 'oms',
    taskId: '123456789012345',
    operation: 'list',
    method: 'GET',
    path: /^\/v2\/fakeprojoms\/tasks\?(?=.*limit=100)(?=.*offset=0)/,
  },
  {
    provider: 'huawei-oms',
    account: 'oms',
    taskId: '123456789012345',
    operation: 'get',
    method: 'GET',
    path: /^\/v2\/fakeprojoms\/tasks\/123456789012345$/,
  },
  {
    provider: 'huawei-oms',
    account: 'oms',
    taskId: '123456789012345',
    operation: 'pause',
    method: 'POST',
    path: /^\/v2\/fakeprojoms\/tasks\/123456789012345\/stop$/,
    body: '',
  },
  {
    provider: 'huawei-oms',
    account: 'oms',
    taskId: '123456789012345',
    operation: 'resume',
    method: 'POST',
    path: /^\/v2\/fakeprojoms\/tasks\/123456789012345\/start$/,
    body: { dst_ak: 'FAKE-DST-AK', dst_sk: 'FAKE-DST-SK', migrate_failed_object: true },
  },
  {
    provider: 'huawei-drs',
    account: 'drs',
    taskId: DRS_JOB,
    operation: 'list',
    method: 'POST',
    path: /^\/v3\/fakeprojdrs\/jobs$/,
    body: { cur_page: 1, per_page: 100, db_use_type: 'migration' },
  },
  {
    provider: 'huawei-drs',
    account: 'drs',
    taskId: DRS_JOB,
    operation: 'get',
    method: 'POST',
    path: /^\/v3\/fakeprojdrs\/jobs\/batch-status$/,
    body: { jobs: [DRS_JOB], page_req: { cur_page: 1, per_page: 0 } },
  },
  {
    provider: 'huawei-drs',
    account: 'drs',
    taskId: DRS_JOB,
    operation: 'pause',
    method: 'POST',
    path: /^\/v3\/fakeprojdrs\/jobs\/batch-pause-task$/,
    body: { jobs: [{ job_id: DRS_JOB, pause_mode: 'all' }] },
  },
  {
    provider: 'huawei-drs',
    account: 'drs',
    taskId: DRS_JOB,
    operation: 'resume',
    method: 'POST',
    path: /^\/v3\/fakeprojdrs\/jobs\/batch-retry-task$/,
    body: { jobs: [{ job_id: DRS_JOB }] },
  },
  {
    provider: 'huawei-dcs',
    account: 'dcs',
    taskId: 'dcs-task-1',
    operation: 'list',
    method: 'GET',
    path: /^\/v2\/fakeprojdcs\/migration-tasks\?(?=.*offset=0)(?=.*limit=1000)/,
  },
  {
    provider: 'huawei-dcs',
    account: 'dcs',
    taskId: 'dcs-task-1',
    operation: 'get',
    method: 'GET',
    path: /^\/v2\/fakeprojdcs\/migration-task\/dcs-task-1$/,
  },
  {
    provider: 'huawei-dcs',
    account: 'dcs',
    taskId: 'dcs-task-1',
    operation: 'pause',
    method: 'POST',
    path: /^\/v2\/fakeprojdcs\/migration-task\/dcs-task-1\/stop$/,
  },
  {
    provider: 'huawei-dcs',
    account: 'dcs',
    taskId: 'dcs-task-1',
    operation: 'resume',
    method: 'POST',
    path: /^\/v2\/fakeprojdcs\/migration-tasks\/batch-restart$/,
    body: { migration_tasks: ['dcs-task-1'] },
  },
  {
    provider: 'aws-dms',
    account: 'dms',
    taskId: DMS_TASK,
    operation: 'list',
    method: 'POST',
    path: /^\/$/,
    target: 'AmazonDMSv20160101.DescribeReplicationTasks',
    body: { MaxRecords: 100, WithoutSettings: true },
  },
  {
    provider: 'aws-dms',
    account: 'dms',
    taskId: DMS_TASK,
    operation: 'get',
    method: 'POST',
    path: /^\/$/,
    target: 'AmazonDMSv20160101.DescribeReplicationTasks',
    body: { WithoutSettings: true, Filters: [{ Name: 'replication-task-arn', Values: [DMS_TASK] }] },
  },
  {
    provider: 'aws-dms',
    account: 'dms',
    taskId: DMS_TASK,
    operation: 'pause',
    method: 'POST',
    path: /^\/$/,
    target: 'AmazonDMSv20160101.StopReplicationTask',
    body: { ReplicationTaskArn: DMS_TASK },
  },
  {
    provider: 'aws-dms',
    account: 'dms',
    taskId: DMS_TASK,
    operation: 'resume',
    method: 'POST',
    path: /^\/$/,
    target: 'AmazonDMSv20160101.StartReplicationTask',
    body: { ReplicationTaskArn: DMS_TASK, StartReplicationTaskType: 'resume-processing' },
  },
];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ scenario });
});
afterAll(async () => {
  await sim.close();
});

async function perform(session: ProviderSession, row: Row): Promise<void> {
  if (row.operation === 'list') {
    await session.list();
    return;
  }
  if (row.operation === 'get') {
    await session.get([row.taskId]);
    return;
  }
  const [task] = (await session.get([row.taskId])).values();
  if (!task || !('phase' in task)) throw new Error(`cannot read ${row.taskId}`);
  if (row.operation === 'resume') {
    // Resume needs a paused task: put it in the provider's paused state, as if we had paused it earlier.
    sim.setTaskState(row.provider, row.taskId, pausedState(row.provider));
  }
  const results = await session[row.operation]([{ ...task, phase: row.operation === 'pause' ? 'running' : 'paused' }], OPTIONS);
  expect(results).toEqual([{ taskId: row.taskId, ok: true }]);
}

function pausedState(provider: ProviderKey): string {
  const paused: Record<ProviderKey, string> = {
    'ncp-object-migration': 'PAUSED',
    'huawei-oms': '3',
    'huawei-drs': 'PAUSING',
    'huawei-dcs': 'TERMINATED',
    'aws-dms': 'stopped',
  };
  return paused[provider];
}

function expectSigned(provider: ProviderKey, request: RecordedRequest): void {
  if (provider === 'ncp-object-migration') {
    expect(request.headers).toMatchObject({
      'x-ncp-iam-access-key': 'FAKE-NCP-AK',
      'x-ncp-region_code': 'KR',
      'x-ncp-apigw-timestamp': expect.stringMatching(/^\d{13}$/),
      'x-ncp-apigw-signature-v2': expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    return;
  }
  if (provider === 'aws-dms') {
    // SigV4 by the role's session (STS-issued), scoped to DMS in the account's region.
    const auth = request.headers.authorization ?? '';
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAFAKE\w+\/\d{8}\/ap-northeast-2\/dms\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(/SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';')).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-target']),
    );
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    return;
  }
  expect(request.headers['x-sdk-date']).toMatch(/^\d{8}T\d{6}Z$/);
  const auth = request.headers.authorization ?? '';
  expect(auth).toMatch(/^SDK-HMAC-SHA256 Access=FAKE-[A-Z]+-AK, SignedHeaders=([a-z-]+;)*[a-z-]+, Signature=[0-9a-f]{64}$/);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  expect(signed).toEqual(expect.arrayContaining(['host', 'x-sdk-date']));
  if (request.headers['x-project-id']) expect(signed).toContain('x-project-id');
}

describe('provider endpoints on the wire', () => {
  it.each(rows.map((r) => [`${r.provider} ${r.operation}`, r] as const))('%s', async (_, row) => {
    const { session } = openSimSession(adapters[row.provider], sim, row.account);
    const before = sim.requests.length;

    await perform(session, row);

    const sent = sim.requests
      .slice(before)
      .filter((r) => row.path.test(r.path) && (row.target === undefined || r.headers['x-amz-target'] === row.target));
    expect(sent.length, `no ${row.method} request matched ${row.path}`).toBeGreaterThanOrEqual(1);
    const request = sent[0];
    if (!request) return;
    expect(request.method).toBe(row.method);
    expect(request.status).toBeLessThan(400);
    expect(request.escapesTemplate).toBe(false);
    expectSigned(row.provider, request);
    if (row.body === '') expect(request.body).toBe('');
    else if (row.body !== undefined) expect(JSON.parse(request.body)).toMatchObject(row.body as object);
  });
});
