import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandsHandler } from '../../functions/commands';
import { createIncidentHandler } from '../../functions/incident';
import { createWorkerHandler } from '../../functions/worker';
import { createAwsRuntime } from '../../lib/aws/runtime';
import { parseAccounts } from '../../lib/config';
import { CommandValidationError } from '../../lib/core/errors';
import type { FailureMessage } from '../../lib/core/failures';
import { MemoryFailureSink } from '../../lib/local/failures';
import { type Scenario, type Simulator, startSimulator } from '../../sim';
import { actionRequests, startFleet } from '../helpers/fleet';
import {
  type HostileCase,
  hostileCommands,
  hostileWorkMessages,
  LEGAL_UNICODE_TASK_IDS,
  namesField,
  REGEX_LOOKING_PATTERNS,
} from '../helpers/hostile';
import { type LocalSqs, startLocalSqs } from '../helpers/local-sqs';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';
import { fakeRuntime, lambdaContext, quietObservability, sqsEvent } from '../unit/functions/support';
import { bodiesOn, deliver, writeAccountsFile } from './functions/support';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const COMMANDS = hostileCommands();
const WORK = hostileWorkMessages();

/** An NCP account with tasks: a command that slipped through would list and pause them (and the test would see it). */
const scenario = (): Scenario => ({
  transitionMs: 30,
  accounts: [NCP_MAIN],
  tasks: [ncpPolicy('photos', 'STARTED'), ncpPolicy('logs', 'STARTED')],
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function simulator(s: Scenario = scenario()): Promise<Simulator> {
  const sim = await startSimulator({ scenario: s });
  cleanups.push(() => sim.close());
  return sim;
}

/** A runtime of in-memory parts pointed at the simulator's accounts: cheap enough for hundreds of messages. */
function memoryRuntime(sim: Simulator, failures: MemoryFailureSink) {
  return fakeRuntime({ accounts: parseAccounts(sim.accountsFile()).accounts, env: sim.secretEnv(), failures });
}

/** The SQS body a failure would be sent as, and its size against SQS's limit. */
const bodyBytes = (failure: FailureMessage) => Buffer.byteLength(JSON.stringify(failure), 'utf8');

function expectRejected(failure: FailureMessage | undefined, hostile: HostileCase): void {
  expect(failure?.kind, hostile.kind).toBe('invalid-command');
  if (failure?.kind !== 'invalid-command') return;
  expect(namesField(failure.issues, hostile.field), `${hostile.kind}: ${JSON.stringify(failure.issues).slice(0, 300)}`).toBe(
    true,
  );
  expect(Buffer.byteLength(failure.received, 'utf8')).toBeLessThanOrEqual(2048);
  // Nothing in a rejection echoes a huge input: the whole message stays far below SQS's 256 KiB.
  expect(bodyBytes(failure)).toBeLessThan(16 * 1024);
}

/** Feeds bodies to an SQS handler ten at a time (a Lambda batch), as the event source mapping would. */
async function feed(
  handler: (event: ReturnType<typeof sqsEvent>, context: typeof lambdaContext) => Promise<SQSBatchResponse>,
  cases: readonly HostileCase[],
): Promise<SQSBatchResponse['batchItemFailures']> {
  const unacknowledged: SQSBatchResponse['batchItemFailures'] = [];
  for (let i = 0; i < cases.length; i += 10) {
    const reply = await handler(sqsEvent(cases.slice(i, i + 10).map((c) => c.body)), lambdaContext);
    unacknowledged.push(...reply.batchItemFailures);
  }
  return unacknowledged;
}

describe('hostile input', () => {
  it(`generates at least 500 bad commands and 200 bad work messages of every kind asked for`, () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(500);
    expect(WORK.length).toBeGreaterThanOrEqual(200);
    expect(new Set(COMMANDS.map((c) => c.kind))).toEqual(
      new Set([
        'wrong type',
        'missing field',
        'huge string',
        'hostile task id',
        'prototype key',
        'deep nesting',
        'invalid JSON',
        'not an object',
        'empty body',
        'empty object',
        'extra field',
        'wrong enum',
        'empty scope',
        'all and more',
        'until on resume',
        'bad account',
        'bad source',
        'bad uuid',
        'too many ids',
      ]),
    );
    expect(Math.max(...COMMANDS.map((c) => c.body.length))).toBeGreaterThan(300 * 1024);
  });

  it('the commands function rejects every bad command once, naming the field, and never calls a provider', async () => {
    const sim = await simulator();
    const failures = new MemoryFailureSink();
    const handler = createCommandsHandler({
      runtime: async () => memoryRuntime(sim, failures),
      observability: quietObservability(),
    });

    const unacknowledged = await feed(handler, COMMANDS);

    expect(unacknowledged).toEqual([]);
    expect(failures.messages).toHaveLength(COMMANDS.length);
    COMMANDS.forEach((hostile, i) => {
      expectRejected(failures.messages[i], hostile);
    });
    expect(sim.requests).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the worker rejects every bad work message once, naming the field, and never calls a provider', async () => {
    const sim = await simulator();
    const failures = new MemoryFailureSink();
    const handler = createWorkerHandler({
      runtime: async () => memoryRuntime(sim, failures),
      observability: quietObservability(),
    });

    const unacknowledged = await feed(handler, WORK);

    expect(unacknowledged).toEqual([]);
    expect(failures.messages).toHaveLength(WORK.length);
    WORK.forEach((hostile, i) => {
      expectRejected(failures.messages[i], hostile);
    });
    expect(sim.requests).toEqual([]);
  });

  it('the incident function fails each bad event with a CommandValidationError naming the field, and records it once', async () => {
    const sim = await simulator();
    const failures = new MemoryFailureSink();
    const handler = createIncidentHandler({
      runtime: async () => memoryRuntime(sim, failures),
      observability: quietObservability(),
    });

    for (const [i, hostile] of COMMANDS.entries()) {
      let event: unknown = hostile.body;
      try {
        event = JSON.parse(hostile.body);
      } catch {
        // Not JSON: Lambda would hand the function the text itself.
      }
      const error = await handler(event, lambdaContext).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error, hostile.kind).toBeInstanceOf(CommandValidationError);
      const issues = error instanceof CommandValidationError ? error.issues : [];
      const field = hostile.field === '(body)' ? '(root)' : hostile.field;
      expect(namesField(issues, field), `${hostile.kind}: ${JSON.stringify(issues).slice(0, 300)}`).toBe(true);
      expect((error as Error).message.length).toBeLessThan(8 * 1024);
      expect(failures.messages).toHaveLength(i + 1);
      expect(bodyBytes(failures.messages[i] as FailureMessage)).toBeLessThan(16 * 1024);
    }
    expect(sim.requests).toEqual([]);
  });

  describe('over local SQS', () => {
    async function stage(): Promise<{ sim: Simulator; sqs: LocalSqs; queues: Record<'commands' | 'ncp' | 'failures', string> }> {
      const sim = await simulator();
      const sqs = await startLocalSqs([{ name: 'h-commands' }, { name: 'h-work-ncp' }, { name: 'h-failures' }]);
      cleanups.push(() => sqs.close());
      return {
        sim,
        sqs,
        queues: { commands: sqs.queueUrl('h-commands'), ncp: sqs.queueUrl('h-work-ncp'), failures: sqs.queueUrl('h-failures') },
      };
    }

    /** One case of each kind that SQS itself would carry (a body under 256 KiB). */
    const sampleOf = (cases: readonly HostileCase[]) => [
      ...new Map(
        cases.filter((c) => c.body.length > 0 && Buffer.byteLength(c.body) < 200 * 1024).map((c) => [c.kind, c]),
      ).values(),
    ];

    it('a sample of every kind, through the commands and work queues, lands on the failures queue once each', async () => {
      const { sim, sqs, queues } = await stage();
      const accounts = await writeAccountsFile(sim);
      const runtime = await createAwsRuntime({
        env: {
          ...sim.secretEnv(),
          MP_ACCOUNTS_FILE: accounts.path,
          MP_WORK_QUEUE_URLS: JSON.stringify({ 'ncp-object-migration': queues.ncp }),
          MP_FAILURES_QUEUE_URL: queues.failures,
          MP_COMMANDS_QUEUE_URL: queues.commands,
        },
        clients: { sqs: sqs.client },
        stateDir: accounts.dir,
      });
      const options = { runtime: async () => runtime, observability: quietObservability() };
      const commands = sampleOf(COMMANDS);
      const work = sampleOf(WORK);
      for (const c of commands) await sqs.client.send(new SendMessageCommand({ QueueUrl: queues.commands, MessageBody: c.body }));
      for (const c of work) await sqs.client.send(new SendMessageCommand({ QueueUrl: queues.ncp, MessageBody: c.body }));

      const planned = await deliver(sqs.client, queues.commands, createCommandsHandler(options), lambdaContext);
      const worked = await deliver(sqs.client, queues.ncp, createWorkerHandler(options), lambdaContext);

      expect(planned.records).toHaveLength(commands.length);
      expect(worked.records).toHaveLength(work.length);
      expect([...planned.reply.batchItemFailures, ...worked.reply.batchItemFailures]).toEqual([]);
      const dlq = (await sqs.receiveAll(queues.failures)).map((m) => JSON.parse(m.Body ?? 'null') as FailureMessage);
      expect(dlq).toHaveLength(commands.length + work.length);
      expect(dlq.every((m) => m.kind === 'invalid-command')).toBe(true);
      expect(await bodiesOn(sqs.client, queues.commands)).toEqual([]);
      expect(await bodiesOn(sqs.client, queues.ncp)).toEqual([]);
      expect(sim.requests).toEqual([]);
    });
  });

  describe('hostile but valid commands', () => {
    const tasks = [...LEGAL_UNICODE_TASK_IDS, 'photos', 'logs'].map((id) => ncpPolicy(id, 'STARTED'));

    it('pause and resume unicode task ids without any request leaving its path template', async () => {
      const fleet = await startFleet({ accounts: [NCP_MAIN], tasks });

      const paused = await fleet.run({ scope: { taskIds: [...LEGAL_UNICODE_TASK_IDS] } });
      const resumed = await fleet.run({ action: 'resume', scope: { taskIds: [...LEGAL_UNICODE_TASK_IDS] } });

      expect(paused.summary.totals).toEqual({ paused: LEGAL_UNICODE_TASK_IDS.length });
      expect(resumed.summary.totals).toEqual({ resumed: LEGAL_UNICODE_TASK_IDS.length });
      expect(actionRequests(fleet.sim).length).toBeGreaterThanOrEqual(2 * LEGAL_UNICODE_TASK_IDS.length);
      expect(fleet.sim.requests.filter((r) => r.escapesTemplate).map((r) => r.path)).toEqual([]);
    });

    it('treat regex and glob characters in a name pattern as a glob, never as a regular expression', async () => {
      const fleet = await startFleet({ accounts: [NCP_MAIN], tasks });
      const plannedBy: Record<string, string[]> = {};

      for (const namePattern of REGEX_LOOKING_PATTERNS) {
        const { plan } = await fleet.run({ scope: { namePattern }, dryRun: true });
        plannedBy[namePattern] = plan.targets.map((t) => t.target.name).sort();
      }

      expect(plannedBy).toEqual({
        '(.*)+$': [],
        '[a-z]+': [],
        '^photos$': [],
        'photos|logs': [],
        '\\d{3}': [],
        '*\\*': [],
        'ph?tos': ['photos'],
        '*.2026': ['photos.2026'],
        '테*': ['테스트'],
      });
      expect(fleet.sim.requests.filter((r) => r.escapesTemplate)).toEqual([]);
    });
  });

  describe('a provider that lists task ids we must not put in a path', () => {
    it('pauses the good ones, builds no request from the bad ones, and sends each bad one to the DLQ', async () => {
      const bad = ['a/b', 'a\u0000b', '..', 'x%2Fy'];
      const fleet = await startFleet({
        accounts: [NCP_MAIN],
        tasks: [...bad, 'photos'].map((id) => ncpPolicy(id, 'STARTED')),
      });

      const result = await fleet.run({ scope: { all: true } });

      expect(result.summary.totals).toEqual({ paused: 1, failed: bad.length });
      expect(result.outcomes.filter((o) => o.outcome === 'failed').every((o) => o.errorClass === 'bad-request')).toBe(true);
      expect(fleet.failures.messages).toHaveLength(bad.length);
      expect(fleet.sim.requests.filter((r) => r.escapesTemplate).map((r) => r.path)).toEqual([]);
      expect(actionRequests(fleet.sim).map((r) => r.path)).toEqual(['/migration-api/v1/policy/photos/pause']);
    });
  });
});
