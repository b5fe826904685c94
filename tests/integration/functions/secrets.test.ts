import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createIncidentHandler } from '../../../functions/incident';
import { createWorkerHandler } from '../../../functions/worker';
import { createAwsRuntime } from '../../../lib/aws/runtime';
import type { WorkMessage } from '../../../lib/core/work';
import { type Simulator, startSimulator } from '../../../sim';
import { aCommand, aTarget, aTask } from '../../helpers/factories';
import { lambdaContext, quietObservability, sqsEvent } from '../../unit/functions/support';
import { writeAccountsFile } from './support';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function ncpStage(secretRef: string) {
  const sim = await startSimulator({
    scenario: {
      transitionMs: 30,
      accounts: [
        {
          name: 'ncp-main',
          provider: 'ncp-object-migration',
          region: 'KR',
          accessKey: 'FAKE-NCP-AK-01',
          secretKey: 'FAKE-NCP-SK-01',
        },
      ],
      tasks: [{ provider: 'ncp-object-migration', account: 'ncp-main', id: 'photos', name: 'photos', state: 'STARTED' }],
    },
  });
  open.push(sim);
  const accounts = await writeAccountsFile(sim, () => secretRef);
  const secretsManager = new SecretsManagerClient({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
  });
  const secrets = mockClient(secretsManager);
  const runtime = await createAwsRuntime({
    env: { MP_ACCOUNTS_FILE: accounts.path, MP_SECRETS_PREFIX: 'migration-pauser/' },
    clients: { secretsManager },
    stateDir: accounts.dir,
    sessionOptions: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } },
  });
  const options = { runtime: async () => runtime, observability: quietObservability() };
  return { sim, secrets, runtime, worker: createWorkerHandler(options), incident: createIncidentHandler(options) };
}

function photosChunk(): WorkMessage {
  const target = aTarget({ taskId: 'photos', name: 'photos' });
  return {
    version: 1,
    command: aCommand({ scope: { accounts: ['ncp-main'] } }),
    account: 'ncp-main',
    phase: 'act',
    handoff: 0,
    items: [{ target, task: aTask({ taskId: 'photos', name: 'photos' }) }],
  };
}

const pauseCalls = (sim: Simulator) => sim.requests.filter((r) => r.method !== 'GET' && r.path.includes('pause'));

describe('account secrets from Secrets Manager', () => {
  it('fetches the secret once more after a 401 (rotated), and the target succeeds with one extra provider call', async () => {
    const stage = await ncpStage('aws:migration-pauser/ncp-main');
    stage.secrets
      .on(GetSecretValueCommand, { SecretId: 'migration-pauser/ncp-main' })
      .resolvesOnce({ SecretString: JSON.stringify({ accessKey: 'FAKE-NCP-AK-01', secretKey: 'FAKE-NCP-SK-OLD' }) })
      .resolves({ SecretString: JSON.stringify({ accessKey: 'FAKE-NCP-AK-01', secretKey: 'FAKE-NCP-SK-01' }) });

    const reply = await stage.worker(sqsEvent([JSON.stringify(photosChunk())]), lambdaContext);

    expect(reply.batchItemFailures).toEqual([]);
    expect(stage.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(pauseCalls(stage.sim).map((r) => r.status)).toEqual([401, 200]);
    expect(stage.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('keeps the secret cached across invocations of the same container', async () => {
    const stage = await ncpStage('aws:migration-pauser/ncp-main');
    stage.secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ accessKey: 'FAKE-NCP-AK-01', secretKey: 'FAKE-NCP-SK-01' }) });

    await stage.incident({ action: 'pause', scope: { all: true }, reason: 'INC-1', dryRun: true }, lambdaContext);
    await stage.incident({ action: 'pause', scope: { all: true }, reason: 'INC-2', dryRun: true }, lambdaContext);

    expect(stage.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses a secret outside the readable prefix, naming the reference and never calling Secrets Manager', async () => {
    const stage = await ncpStage('aws:someone-else/ncp-main');

    const reply = await stage.incident({ action: 'pause', scope: { all: true }, reason: 'INC-3' }, lambdaContext);

    expect(reply.summary.accountFailures).toEqual([
      expect.objectContaining({
        account: 'ncp-main',
        reason: expect.stringMatching(/aws:someone-else\/ncp-main.*migration-pauser\//),
      }),
    ]);
    expect(stage.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(stage.sim.requests).toEqual([]);
  });
});
