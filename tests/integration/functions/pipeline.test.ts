import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandsHandler } from '../../../functions/commands';
import { createIncidentHandler } from '../../../functions/incident';
import { createRedriveHandler } from '../../../functions/redrive';
import { createWindowHandler } from '../../../functions/window';
import { createWorkerHandler } from '../../../functions/worker';
import { type AwsRuntime, createAwsRuntime } from '../../../lib/aws/runtime';
import type { Command } from '../../../lib/core/command';
import { type FailureMessage, targetFailure } from '../../../lib/core/failures';
import type { WorkMessage } from '../../../lib/core/work';
import { type Scenario, type Simulator, startSimulator } from '../../../sim';
import { aCommand, anOutcome, aTarget } from '../../helpers/factories';
import { startLocalDynamoDb } from '../../helpers/local-dynamodb';
import { type LocalSqs, startLocalSqs } from '../../helpers/local-sqs';
import { DRS_MAIN, drsJob, drsJobId, NCP_MAIN, ncpPolicy } from '../../helpers/scenarios';
import { lambdaContext, quietObservability } from '../../unit/functions/support';
import { bodiesOn, deliver, writeAccountsFile } from './support';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const UUID = drsJobId;

function fleetScenario(): Scenario {
  return {
    transitionMs: 30,
    accounts: [NCP_MAIN, DRS_MAIN],
    tasks: [
      ncpPolicy('photos', 'STARTED'),
      ncpPolicy('logs', 'STARTED'),
      drsJob(1, 'orders-db', 'INCRE_TRANSFER_STARTED'),
      drsJob(2, 'users-db', 'FULL_TRANSFER_STARTED'),
    ],
  };
}

interface Stage {
  sim: Simulator;
  sqs: LocalSqs;
  runtime: AwsRuntime;
  queues: { commands: string; ncp: string; drs: string; failures: string };
  send(queueUrl: string, body: unknown): Promise<void>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A simulator, a local SQS with the stage's queues, and the AWS runtime the functions would build from env. */
async function startStage(
  scenario: Scenario = fleetScenario(),
  env: Record<string, string> = {},
  clients: { dynamoDb?: DynamoDBClient } = {},
): Promise<Stage> {
  const sim = await startSimulator({ scenario });
  const sqs = await startLocalSqs([
    { name: 'mp-test-commands', dlq: { name: 'mp-test-commands-dlq', maxReceiveCount: 3 } },
    { name: 'mp-test-work-ncp-object-migration', dlq: { name: 'mp-test-work-ncp-object-migration-dlq', maxReceiveCount: 3 } },
    { name: 'mp-test-work-huawei-drs', dlq: { name: 'mp-test-work-huawei-drs-dlq', maxReceiveCount: 3 } },
    { name: 'mp-test-failures' },
  ]);
  cleanups.push(
    () => sim.close(),
    () => sqs.close(),
  );
  const queues = {
    commands: sqs.queueUrl('mp-test-commands'),
    ncp: sqs.queueUrl('mp-test-work-ncp-object-migration'),
    drs: sqs.queueUrl('mp-test-work-huawei-drs'),
    failures: sqs.queueUrl('mp-test-failures'),
  };
  const accounts = await writeAccountsFile(sim);
  const runtime = await createAwsRuntime({
    env: {
      ...sim.secretEnv(),
      MP_ACCOUNTS_FILE: accounts.path,
      MP_WORK_QUEUE_URLS: JSON.stringify({ 'ncp-object-migration': queues.ncp, 'huawei-drs': queues.drs }),
      MP_FAILURES_QUEUE_URL: queues.failures,
      MP_COMMANDS_QUEUE_URL: queues.commands,
      ...env,
    },
    clients: { sqs: sqs.client, ...clients },
    stateDir: accounts.dir,
    sessionOptions: { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } },
  });
  return {
    sim,
    sqs,
    runtime,
    queues,
    send: async (queueUrl, body) => {
      await sqs.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: typeof body === 'string' ? body : JSON.stringify(body) }),
      );
    },
  };
}

function handlers(stage: Stage) {
  const options = { runtime: async () => stage.runtime, observability: quietObservability() };
  return {
    commands: createCommandsHandler(options),
    worker: createWorkerHandler(options),
    incident: createIncidentHandler(options),
    window: createWindowHandler(options),
    redrive: createRedriveHandler({ ...options, waitTimeSeconds: 0 }),
  };
}

describe('the functions over local SQS and the provider simulator', () => {
  it('carries a command from the commands queue through the work queues to paused tasks', async () => {
    const stage = await startStage();
    const fn = handlers(stage);
    await stage.send(stage.queues.commands, aCommand({ reason: 'CHG-1: maintenance' }));

    const planned = await deliver(stage.sqs.client, stage.queues.commands, fn.commands, lambdaContext);
    const ncp = await deliver(stage.sqs.client, stage.queues.ncp, fn.worker, lambdaContext);
    const drs = await deliver(stage.sqs.client, stage.queues.drs, fn.worker, lambdaContext);

    expect(planned.reply.batchItemFailures).toEqual([]);
    // One work message per account (up to 100 targets): NCP's worker pauses its two jobs one call each, DRS in one batch.
    expect(ncp.records).toHaveLength(1);
    expect((JSON.parse(ncp.records[0]?.body ?? '{}') as { items: unknown[] }).items).toHaveLength(2);
    expect(drs.records).toHaveLength(1);
    expect([...ncp.reply.batchItemFailures, ...drs.reply.batchItemFailures]).toEqual([]);
    expect(stage.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(stage.sim.task('ncp-object-migration', 'logs')?.state).toBe('PAUSED');
    expect(stage.sim.task('huawei-drs', UUID(1))?.state).toBe('PAUSING');
    expect((await stage.runtime.ledger.pausedByUs()).map((r) => r.target.name).sort()).toEqual([
      'logs',
      'orders-db',
      'photos',
      'users-db',
    ]);
    expect(await bodiesOn(stage.sqs.client, stage.queues.failures)).toEqual([]);
  });

  it('puts a target the provider refused on the failures queue, with its provider code', async () => {
    const scenario = fleetScenario();
    const refused = scenario.tasks.find((t) => t.id === UUID(2));
    if (refused) refused.failsAction = { code: 'DRS.10000011', message: 'job is busy' };
    const stage = await startStage(scenario);
    const fn = handlers(stage);
    await stage.send(stage.queues.commands, aCommand({ scope: { providers: ['huawei-drs'] } }));

    await deliver(stage.sqs.client, stage.queues.commands, fn.commands, lambdaContext);
    const worked = await deliver(stage.sqs.client, stage.queues.drs, fn.worker, lambdaContext);

    expect(worked.reply.batchItemFailures).toEqual([]);
    expect(await bodiesOn(stage.sqs.client, stage.queues.failures)).toEqual([
      expect.objectContaining({
        kind: 'target-failed',
        providerCode: 'DRS.10000011',
        target: expect.objectContaining({ taskId: UUID(2), name: 'users-db' }),
      }),
    ]);
  });

  it('acknowledges a poison message, records one invalid-command failure and does not retry it', async () => {
    const stage = await startStage();
    const fn = handlers(stage);
    await stage.send(stage.queues.commands, '{"action":"pause","scope":{"all":true},"reason":');
    await stage.send(stage.queues.commands, aCommand({ scope: { accounts: ['ncp-main'] } }));

    const { reply, records } = await deliver(stage.sqs.client, stage.queues.commands, fn.commands, lambdaContext);

    expect(records).toHaveLength(2);
    expect(reply.batchItemFailures).toEqual([]);
    expect(await bodiesOn(stage.sqs.client, stage.queues.failures)).toEqual([
      expect.objectContaining({ kind: 'invalid-command', issues: [{ path: '(body)', message: 'not valid JSON' }] }),
    ]);
    expect(await bodiesOn(stage.sqs.client, stage.queues.commands)).toEqual([]);
    expect(await bodiesOn(stage.sqs.client, stage.queues.ncp)).toHaveLength(1);
  });

  it('runs an incident in-process and returns the summary', async () => {
    const stage = await startStage();
    const fn = handlers(stage);

    const reply = await fn.incident(
      { action: 'pause', scope: { providers: ['ncp-object-migration'] }, reason: 'INC-9: overload', requestedBy: 'oncall' },
      lambdaContext,
    );

    expect(reply.mode).toBe('in-process');
    expect(reply.summary.totals).toEqual({ paused: 2 });
    expect(reply.followWith).toBe(`migration-pauser history --command ${reply.summary.commandId}`);
    expect(stage.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(await bodiesOn(stage.sqs.client, stage.queues.ncp)).toEqual([]);
  });

  it('keeps its holds in the DynamoDB ledger when MP_LEDGER_TABLE is set', async () => {
    const dynamo = await startLocalDynamoDb();
    cleanups.push(() => dynamo.stop());
    const table = await dynamo.createLedgerTable();
    const stage = await startStage(fleetScenario(), { MP_LEDGER_TABLE: table }, { dynamoDb: dynamo.client });
    const fn = handlers(stage);

    const reply = await fn.incident({ action: 'pause', scope: { providers: ['huawei-drs'] }, reason: 'INC-12' }, lambdaContext);

    expect(reply.summary.totals).toEqual({ paused: 2 });
    expect((await stage.runtime.ledger.pausedByUs()).map((r) => r.target.name).sort()).toEqual(['orders-db', 'users-db']);
    expect(await stage.runtime.ledger.outcomesOf(reply.summary.commandId)).toHaveLength(2);
  });

  it('dispatches an incident larger than its in-process limit and says so', async () => {
    const stage = await startStage(fleetScenario(), { MP_INPROCESS_LIMIT: '1' });
    const fn = handlers(stage);

    const reply = await fn.incident({ action: 'pause', scope: { all: true }, reason: 'INC-10: overload' }, lambdaContext);

    expect(reply.mode).toBe('dispatched');
    expect(reply.summary.totals).toEqual({ dispatched: 4 });
    expect(stage.sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
    const [work] = (await bodiesOn(stage.sqs.client, stage.queues.ncp)) as WorkMessage[];
    expect(work?.command.commandId).toBe(reply.summary.commandId);
  });

  it('dispatches a window fire under the same command id however often the scheduler delivers it', async () => {
    const stage = await startStage();
    const fn = handlers(stage);
    const fire = {
      window: 'weekday-business-hours',
      action: 'pause',
      scope: { providers: ['ncp-object-migration'] },
      reason: 'business hours',
      scheduledTime: '2026-11-30T00:00:00Z',
      scheduleArn: 'arn:aws:scheduler:ap-northeast-2:000000000000:schedule/default/mp-test-pause',
    };

    const first = await fn.window(fire, lambdaContext);
    const again = await fn.window(fire, lambdaContext);

    expect(again.commandId).toBe(first.commandId);
    expect(first.totals).toEqual({ dispatched: 2 });
    const work = (await bodiesOn(stage.sqs.client, stage.queues.ncp)) as WorkMessage[];
    // Each delivery dispatches again (a worker finding the task already paused settles it as such); the
    // command id lets the ledger and the history tie both deliveries to one command.
    expect(new Set(work.map((w) => w.command.commandId))).toEqual(new Set([first.commandId]));
    expect(work.every((w) => w.command.requestedBy === 'schedule:weekday-business-hours')).toBe(true);
  });

  it('moves a target failure back to the commands queue as a command for that target only', async () => {
    const stage = await startStage();
    const fn = handlers(stage);
    const original = aCommand({ commandId: UUID(900), reason: 'INC-11', source: 'INC-11', requestedBy: 'oncall-lee' });
    const failure = targetFailure(
      original,
      anOutcome({
        target: aTarget({ taskId: 'photos', name: 'photos' }),
        outcome: 'failed',
        errorClass: 'retryable',
        reason: 'not confirmed',
      }),
    );
    const unrelated: FailureMessage = {
      kind: 'invalid-command',
      issues: [],
      received: '{',
      failedAt: '2026-11-28T00:00:00.000Z',
    };
    await stage.sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: stage.queues.failures,
        Entries: [failure, unrelated].map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) })),
      }),
    );

    const preview = await fn.redrive({ commandId: original.commandId, dryRun: true }, lambdaContext);
    const moved = await fn.redrive({ commandId: original.commandId }, lambdaContext);

    expect(preview).toMatchObject({ dryRun: true, received: 2, moved: 1, kept: 1 });
    expect(moved).toMatchObject({ dryRun: false, received: 2, moved: 1, kept: 1 });
    const commands = (await bodiesOn(stage.sqs.client, stage.queues.commands)) as Command[];
    expect(commands).toEqual([
      expect.objectContaining({
        action: 'pause',
        scope: { accounts: ['ncp-main'], taskIds: ['photos'] },
        reason: `redrive of ${original.commandId}: ${original.reason}`,
        source: 'INC-11',
        requestedBy: 'oncall-lee',
        redrive: { of: original.commandId, by: 'redrive-function' },
      }),
    ]);
    expect(await bodiesOn(stage.sqs.client, stage.queues.failures)).toEqual([unrelated]);
  });

  it('pauses the redriven target when its command comes round again', async () => {
    const stage = await startStage();
    const fn = handlers(stage);
    const failure = targetFailure(
      aCommand({ commandId: UUID(901), reason: 'INC-13' }),
      anOutcome({ target: aTarget({ taskId: 'logs', name: 'logs' }), outcome: 'failed', errorClass: 'retryable' }),
    );
    await stage.send(stage.queues.failures, failure);

    await fn.redrive({ provider: 'ncp-object-migration' }, lambdaContext);
    await deliver(stage.sqs.client, stage.queues.commands, fn.commands, lambdaContext);
    const worked = await deliver(stage.sqs.client, stage.queues.ncp, fn.worker, lambdaContext);

    expect(worked.records).toHaveLength(1);
    expect(stage.sim.task('ncp-object-migration', 'logs')?.state).toBe('PAUSED');
    expect(stage.sim.task('ncp-object-migration', 'photos')?.state).toBe('STARTED');
  });
});
