import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCommandsHandler } from '../../functions/commands';
import { createIncidentHandler } from '../../functions/incident';
import { createWorkerHandler } from '../../functions/worker';
import { createLogger } from '../../lib/aws/middleware';
import { type AwsRuntime, createAwsRuntime } from '../../lib/aws/runtime';
import { forgetSecretValues } from '../../lib/core/redaction';
import type { ProviderKey } from '../../lib/providers/types';
import { fakeRedisPasswords, generateScenario, type Scenario, type Simulator, startSimulator } from '../../sim';
import { type LocalDynamoDb, startLocalDynamoDb } from '../helpers/local-dynamodb';
import { type LocalSqs, startLocalSqs } from '../helpers/local-sqs';
import { lambdaContext } from '../unit/functions/support';
import { deliver, writeAccountsFile } from './functions/support';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const PROVIDERS: ProviderKey[] = ['ncp-object-migration', 'huawei-oms', 'huawei-drs', 'huawei-dcs', 'aws-dms'];
const TASKS_PER_PROVIDER = 6;

/** Recognisable secrets, one set per account, plus a wrong key that the provider refuses. */
const SEEDED = {
  'ncp-01': { accessKey: 'FAKESECRET-ncp-ak-9f3a17c2', secretKey: 'FAKESECRET-ncp-sk-9f3a17c2e8b4' },
  'oms-01': { accessKey: 'FAKESECRET-oms-ak-77e1a0', secretKey: 'FAKESECRET-oms-sk-77e1a0c3d2' },
  'drs-01': { accessKey: 'FAKESECRET-drs-ak-5b21f9', secretKey: 'FAKESECRET-drs-sk-5b21f9d0aa' },
  'dcs-01': { accessKey: 'FAKESECRET-dcs-ak-c0ffee', secretKey: 'FAKESECRET-dcs-sk-c0ffee1234' },
  'dms-01': { accessKey: 'FAKESECRET-dms-ak-d15ea5e', secretKey: 'FAKESECRET-dms-sk-d15ea5e0b0' },
} as const;
const OMS_DESTINATION = { dst_ak: 'FAKESECRET-oms-dst-ak-4e4e', dst_sk: 'FAKESECRET-oms-dst-sk-4e4e9a81' };
const WRONG_SECRET_KEY = 'FAKESECRET-wrong-sk-0bad0bad';
const IAM_TOKEN = 'FAKESECRET-iam-token-MIIDgQYJKoZIhvcNAQcCoIIDcjCCA24';

/** Every seeded value: account keys, OMS destination keys, the wrong key, a token, DCS's Redis passwords. */
function seededValues(): string[] {
  // Passwords are made from the task's place in the whole scenario: every place, whichever provider comes last.
  const redis = Array.from({ length: TASKS_PER_PROVIDER * PROVIDERS.length }, (_, order) =>
    Object.values(fakeRedisPasswords(order)),
  ).flat();
  return [
    ...Object.values(SEEDED).flatMap((keys) => [keys.accessKey, keys.secretKey]),
    ...Object.values(OMS_DESTINATION),
    WRONG_SECRET_KEY,
    IAM_TOKEN,
    ...redis,
  ];
}

/** The forms a leaked value takes: as is, JSON-escaped, URL-encoded, base64 (alone, so at any alignment). */
function leakedForms(secret: string): string[] {
  const base64 = [0, 1, 2].map((shift) =>
    Buffer.from(`${'x'.repeat(shift)}${secret}`)
      .toString('base64')
      .slice(4 * Math.ceil(shift / 3) + 2, -4),
  );
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), ...base64.filter((b) => b.length >= 12)];
}

/** Long enough that no piece of text holds it by chance: every seeded value starts with FAKESECRET- or FAKE-REDIS-. */
const FRAGMENT_LENGTH = 12;

/**
 * Every piece of `secret` FRAGMENT_LENGTH long that no other seeded value holds: what is left of a value cut in
 * two (a truncated message), told apart from its neighbours' (`FAKESECRET-dcs-` starts both of DCS's keys).
 */
function fragments(secret: string, secrets: readonly string[]): string[] {
  if (secret.length <= FRAGMENT_LENGTH) return [secret];
  return Array.from({ length: secret.length - FRAGMENT_LENGTH + 1 }, (_, i) => secret.slice(i, i + FRAGMENT_LENGTH)).filter(
    (piece) => !secrets.some((other) => other !== secret && other.includes(piece)),
  );
}

/** Where in `haystacks` any seeded value appears, in any of its forms, or a piece of it does. */
function secretHits(haystacks: Record<string, string>, secrets: readonly string[]): string[] {
  const hits: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of secrets) {
      if (leakedForms(secret).some((form) => text.includes(form))) hits.push(`${secret} in ${where}`);
      else if (fragments(secret, secrets).some((piece) => text.includes(piece))) hits.push(`part of ${secret} in ${where}`);
    }
  }
  return hits;
}

describe('the secret scanner', () => {
  it('finds a seeded value in plain, JSON-escaped, URL-encoded and base64 form', () => {
    const secret = 'FAKESECRET-ncp-sk-9f3a/17c2+e8=';
    expect(secretHits({ log: `{"msg":"key ${secret}"}` }, [secret])).toEqual([`${secret} in log`]);
    expect(secretHits({ url: `/x?sig=${encodeURIComponent(secret)}` }, [secret])).toHaveLength(1);
    expect(secretHits({ header: `Basic ${Buffer.from(`user:${secret}`).toString('base64')}` }, [secret])).toHaveLength(1);
    expect(secretHits({ cut: `quoting ${secret.slice(0, 14)}…` }, [secret])).toEqual([`part of ${secret} in cut`]);
    expect(secretHits({ clean: 'nothing to see' }, [secret])).toEqual([]);
  });
});

describe('a full run against providers that quote the keys back leaks no secret', () => {
  let sim: Simulator;
  let sqs: LocalSqs;
  let dynamo: LocalDynamoDb;
  let table: string;
  let queues: Record<'commands' | 'failures' | ProviderKey, string>;
  const captured: string[] = [];
  const errors: string[] = [];
  const replies: string[] = [];
  const cli: Record<string, string> = {};
  const dlq: string[] = [];

  function scenario(): Scenario {
    const generated = generateScenario({
      seed: 11,
      tasksPerProvider: TASKS_PER_PROVIDER,
      providers: PROVIDERS,
      // Two refusals per provider: inside a batch (DRS, DCS), they come back as per-job errors of a 200.
      refusingPerProvider: 2,
    });
    for (const account of generated.accounts) {
      const keys = SEEDED[account.name as keyof typeof SEEDED];
      if (keys === undefined) throw new Error(`unexpected account ${account.name}`);
      account.accessKey = keys.accessKey;
      account.secretKey = keys.secretKey;
      if (account.provider === 'huawei-oms') account.oms = { ...OMS_DESTINATION };
    }
    // Every reply quotes the caller's keys (and DCS its Redis passwords) in its free text, per-job codes included.
    return { ...generated, transitionMs: 20, echoSecrets: { codes: true } };
  }

  /** One Lambda container: Secrets Manager mocked to hand out `secretFor(account)`. */
  async function container(accountsPath: string, stateDir: string, secretFor: (account: string) => Record<string, unknown>) {
    const secretsManager = new SecretsManagerClient({
      region: 'ap-northeast-2',
      credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
    });
    const mock = mockClient(secretsManager);
    for (const account of Object.keys(SEEDED)) {
      mock
        .on(GetSecretValueCommand, { SecretId: `migration-pauser/${account}` })
        .resolves({ SecretString: JSON.stringify(secretFor(account)) });
    }
    const runtime: AwsRuntime = await createAwsRuntime({
      env: {
        MP_ACCOUNTS_FILE: accountsPath,
        MP_WORK_QUEUE_URLS: JSON.stringify(Object.fromEntries(PROVIDERS.map((p) => [p, queues[p]]))),
        MP_FAILURES_QUEUE_URL: queues.failures,
        MP_COMMANDS_QUEUE_URL: queues.commands,
        MP_LEDGER_TABLE: table,
      },
      clients: { sqs: sqs.client, dynamoDb: dynamo.client, secretsManager },
      stateDir,
      sessionOptions: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } },
    });
    // The real, redacting logger of the functions; metrics are disabled (they carry no text).
    const observability = { logger: createLogger({ logLevel: 'DEBUG' }), metrics: new Metrics({ namespace: 'SecretHygiene' }) };
    const options = { runtime: async () => runtime, observability };
    return {
      commands: createCommandsHandler(options),
      worker: createWorkerHandler(options),
      incident: createIncidentHandler(options),
    };
  }

  /** Delivers every queue until all are empty (hand-offs and re-deliveries included), keeping what comes back. */
  async function drain(fn: Awaited<ReturnType<typeof container>>): Promise<void> {
    for (let round = 0; round < 10; round++) {
      let delivered = 0;
      for (const [queue, handler] of [
        [queues.commands, fn.commands] as const,
        ...PROVIDERS.map((p) => [queues[p], fn.worker] as const),
      ]) {
        try {
          const { records, reply } = await deliver(sqs.client, queue, handler, lambdaContext);
          delivered += records.length;
          replies.push(JSON.stringify(reply));
        } catch (error) {
          errors.push(String(error), JSON.stringify(error, Object.getOwnPropertyNames(error as object)));
        }
      }
      if (delivered === 0) return;
    }
  }

  beforeAll(async () => {
    forgetSecretValues();
    sim = await startSimulator({ scenario: scenario() });
    sqs = await startLocalSqs([
      { name: 's-commands' },
      { name: 's-failures' },
      ...PROVIDERS.map((p) => ({ name: `s-work-${p}` })),
    ]);
    dynamo = await startLocalDynamoDb();
    table = await dynamo.createLedgerTable();
    queues = {
      commands: sqs.queueUrl('s-commands'),
      failures: sqs.queueUrl('s-failures'),
      ...(Object.fromEntries(PROVIDERS.map((p) => [p, sqs.queueUrl(`s-work-${p}`)])) as Record<ProviderKey, string>),
    };
    const accounts = await writeAccountsFile(sim, (account) => `aws:migration-pauser/${account}`);
    const secretEnv = sim.secretEnv();
    const secretOf = (account: string) =>
      JSON.parse(secretEnv[`MP_SIM_${account.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`] ?? '{}');

    // Every line the functions write (Powertools: info to stdout, warn and error to stderr), kept and not shown.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        captured.push(String(chunk));
        return true;
      });
    }
    try {
      // Pause through the queues, with DCS's key wrong (auth failures) and a token-bearing secret on DRS.
      const pausing = await container(accounts.path, accounts.dir, (account) =>
        account === 'dcs-01'
          ? { ...secretOf(account), sk: WRONG_SECRET_KEY }
          : account === 'drs-01'
            ? { ...secretOf(account), securityToken: IAM_TOKEN }
            : secretOf(account),
      );
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queues.commands,
          MessageBody: JSON.stringify({
            action: 'pause',
            scope: { all: true },
            reason: 'CHG-7 secret hygiene',
            requestedBy: 'tests',
          }),
        }),
      );
      await drain(pausing);
      // A command someone pasted a secret into: rejected, and the rejection must not carry it.
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queues.commands,
          MessageBody: JSON.stringify({
            action: 'pause',
            scope: { all: true },
            reason: 'oops',
            secretKey: SEEDED['ncp-01'].secretKey,
          }),
        }),
      );
      await drain(pausing);
      // Resume in a fresh container, where the OMS secret has lost its destination keys.
      const resuming = await container(accounts.path, accounts.dir, (account) => {
        const { oms: _destination, ...secret } = secretOf(account);
        return account === 'oms-01' ? secret : secretOf(account);
      });
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queues.commands,
          MessageBody: JSON.stringify({ action: 'resume', scope: { all: true }, reason: 'CHG-7 done', requestedBy: 'tests' }),
        }),
      );
      await drain(resuming);
      // An incident invoke, with its reply kept, and an invalid one, with its error kept.
      replies.push(
        JSON.stringify(
          await resuming.incident({ action: 'pause', scope: { providers: ['huawei-drs'] }, reason: 'INC-7' }, lambdaContext),
        ),
      );
      await resuming
        .incident({ action: 'pause', scope: { all: true }, reason: 'INC-8', dst_sk: OMS_DESTINATION.dst_sk }, lambdaContext)
        .catch((e: unknown) => {
          errors.push(String(e), JSON.stringify(e, Object.getOwnPropertyNames(e as object)));
        });
    } finally {
      vi.restoreAllMocks();
    }

    // The CLI, as a separate process, with env: secrets on the same simulator.
    const dir = await mkdtemp(join(tmpdir(), 'mp-secrets-cli-'));
    await writeFile(
      join(dir, 'accounts.json'),
      JSON.stringify(sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 800 } })),
    );
    const env = { ...process.env, ...secretEnv, NO_COLOR: '1' };
    const bin = join(import.meta.dirname, '../../cli/bin.mjs');
    const runCli = async (args: string[]) => {
      const result = await promisify(execFile)(
        process.execPath,
        [bin, ...args, '--accounts', join(dir, 'accounts.json'), '--state-dir', join(dir, 'state')],
        {
          env,
          timeout: 30_000,
        },
      ).catch((e: { stdout?: string; stderr?: string; message: string }) => ({
        stdout: e.stdout ?? '',
        stderr: `${e.stderr ?? ''}\n${e.message}`,
      }));
      cli[`cli ${args.join(' ')} stdout`] = result.stdout;
      cli[`cli ${args.join(' ')} stderr`] = result.stderr;
    };
    // A refused task id (bad input) alongside the pause; the resume after it, through the on-disk ledger.
    await Promise.all([
      runCli(['pause', '--all', '--reason', 'cli pause', '--yes', '--json']),
      runCli(['pause', '--task', 'a/../b', '--reason', 'bad']),
    ]);
    await runCli(['resume', '--all', '--reason', 'cli resume', '--json']);
    for (const file of await readdir(join(dir, 'state'), { recursive: true })) {
      const text = await readFile(join(dir, 'state', String(file)), 'utf8').catch(() => '');
      cli[`cli state ${file}`] = text;
    }
    dlq.push(...(await sqs.receiveAll(queues.failures)).map((m) => m.Body ?? ''));
  }, 60_000);

  afterAll(async () => {
    forgetSecretValues();
    await Promise.all([sim?.close(), sqs?.close(), dynamo?.stop()]);
  });

  it('went through the paths that handle secrets: pauses, refusals, auth failures, a resume without OMS keys', () => {
    const kinds = dlq.map((body) => JSON.parse(body) as { kind: string; errorClass?: string; reason?: string });

    expect(sim.applied.length).toBeGreaterThan(0);
    expect(kinds.some((m) => m.errorClass === 'auth')).toBe(true);
    expect(kinds.some((m) => m.kind === 'invalid-command')).toBe(true);
    expect(kinds.some((m) => m.kind === 'target-failed' && m.errorClass !== 'auth')).toBe(true);
    expect(kinds.some((m) => /dst_ak/.test(m.reason ?? ''))).toBe(true);
    expect(captured.join('').length).toBeGreaterThan(0);
    expect(Object.keys(cli).some((k) => k.startsWith('cli state'))).toBe(true);
    expect(cli['cli pause --all --reason cli pause --yes --json stdout']).toMatch(/"paused"/);
  });

  it('met the echo everywhere: in names, per-job errors of 200 batch replies and error bodies, always redacted', async () => {
    type Failure = { kind: string; reason?: string; providerCode?: string; errorClass?: string; target?: { provider: string } };
    // The failures queue of the Lambda run and the failures file of the CLI's (where DCS's key is right).
    const cliFailures = (cli['cli state failures.jsonl'] ?? '').split('\n').filter((line) => line.trim() !== '');
    const failures = [...dlq, ...cliFailures].map((body) => JSON.parse(body) as Failure);
    const failed = failures.filter((m) => m.kind === 'target-failed');
    // The clients hide their signing keys as [redacted] before ProviderError hides the rest as [REDACTED].
    const quoted = (m: Failure) => /\(echo: \[redacted\]/i.test(m.reason ?? '');
    const ledgers = [
      JSON.stringify((await dynamo.client.send(new ScanCommand({ TableName: table }))).Items ?? []),
      cli['cli state ledger.json'] ?? '',
    ].join('\n');

    // Refusals inside a 200 batch answer: the job's code and message both quoted the keys.
    const batchAnswered = (path: string) => sim.requests.some((r) => r.path.includes(path) && r.status === 200);
    expect(batchAnswered('/batch-pause-task')).toBe(true);
    expect(batchAnswered('/batch-stop')).toBe(true);
    for (const [provider, code] of [
      ['huawei-drs', 'DRS.10020003 (echo: [REDACTED]'],
      ['huawei-dcs', 'DCS.4135 (echo: [REDACTED]'],
    ] as const) {
      expect(failed.some((m) => m.target?.provider === provider && quoted(m) && m.providerCode?.startsWith(code))).toBe(true);
    }
    // Error bodies: NCP's and OMS's refusals, and an auth failure (DCS's wrong key), which quotes the key presented.
    for (const provider of ['ncp-object-migration', 'huawei-oms', 'aws-dms']) {
      expect(failed.some((m) => m.target?.provider === provider && m.errorClass !== 'auth' && quoted(m))).toBe(true);
    }
    expect(failures.some((m) => m.errorClass === 'auth' && quoted(m))).toBe(true);
    // Task names quoted the keys (DCS's its passwords too) and were stored redacted.
    expect(ledgers).toMatch(/oms-task-\d+ \(echo: \[REDACTED\]/);
    expect(ledgers).toMatch(/redis-migration-\d+ \(echo: \[REDACTED\] \[REDACTED\] \[REDACTED\]/);
  });

  it('finds none of them in log lines, errors, failures-queue bodies, ledger items, replies or the CLI’s output', async () => {
    const ledger = await dynamo.client.send(new ScanCommand({ TableName: table }));

    const haystacks = {
      logs: captured.join(''),
      errors: errors.join('\n'),
      replies: replies.join('\n'),
      ledger: JSON.stringify(ledger.Items ?? []),
      dlq: dlq.join('\n'),
      ...cli,
    };
    const hits = secretHits(haystacks, seededValues());

    expect(ledger.Items?.length).toBeGreaterThan(0);
    expect(hits).toEqual([]);
    // Not even the prefix every seeded key shares: whatever quoted a key was hidden whole, never cut.
    const cut = Object.entries(haystacks).filter(([, text]) => text.includes('FAKESECRET-'));
    expect(cut.map(([where]) => where)).toEqual([]);
  });
});
