import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSqs, startLocalSqs } from '../../helpers/local-sqs';

/**
 * Loading an SDK client costs ~50 ms of a cold start, so a function loads one only when it first sends through it.
 * Which packages a process has loaded is visible only from a fresh process (this one has loaded them all), so the
 * runtime is built in a child process that reports the `@aws-sdk/client-*` packages in its module cache.
 */

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');

const CHILD = `
import { createRequire } from 'node:module';
import { createAwsRuntime } from './lib/aws/runtime.ts';
const cache = createRequire(process.cwd() + '/').cache;
const loaded = () => [...new Set(Object.keys(cache).flatMap((k) => k.match(/@aws-sdk\\/(client-[a-z-]+)/)?.[1] ?? []))].sort();
const env = JSON.parse(process.env.CHILD_RUNTIME_ENV);
const rt = await createAwsRuntime({ env: { ...process.env, ...env }, stateDir: process.env.CHILD_STATE_DIR });
const afterBuild = loaded();
await rt.failures.send([]);
const afterNothingSent = loaded();
await rt.workQueue.send('huawei-drs', [{ command: { commandId: 'c-1' }, items: [] }]);
const afterSend = loaded();
console.log(JSON.stringify({ afterBuild, afterNothingSent, afterSend }));
`;

let sqs: LocalSqs;
let stateDir: string;

beforeAll(async () => {
  sqs = await startLocalSqs([{ name: 'failures' }, { name: 'work-drs' }]);
  stateDir = await mkdtemp(join(tmpdir(), 'mp-lazy-sdk-'));
});

afterAll(async () => {
  await sqs.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe('the AWS runtime', () => {
  it('loads no SQS SDK until a message is sent, then sends through it', async () => {
    const runtimeEnv = {
      MP_ACCOUNTS_FILE: join(ROOT, 'config/accounts.ci.json'),
      MP_FAILURES_QUEUE_URL: sqs.queueUrl('failures'),
      MP_WORK_QUEUE_URLS: JSON.stringify({ 'huawei-drs': sqs.queueUrl('work-drs') }),
    };

    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: ROOT,
      env: {
        ...process.env,
        CHILD_RUNTIME_ENV: JSON.stringify(runtimeEnv),
        CHILD_STATE_DIR: stateDir,
        AWS_REGION: 'ap-northeast-2',
        AWS_ACCESS_KEY_ID: 'FAKE',
        AWS_SECRET_ACCESS_KEY: 'FAKE',
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const received = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('work-drs'), WaitTimeSeconds: 1 }));

    expect(JSON.parse(stdout)).toEqual({ afterBuild: [], afterNothingSent: [], afterSend: ['client-sqs'] });
    expect(received.Messages?.map((m) => JSON.parse(m.Body ?? '{}').command.commandId)).toEqual(['c-1']);
  });
});
