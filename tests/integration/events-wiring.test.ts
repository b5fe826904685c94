import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsRuntime } from '../../lib/aws/runtime';
import { runEvents } from '../../lib/core/events';
import { aCommand } from '../helpers/factories';
import {
  allStatements,
  environmentOf,
  functionRole,
  type PackagedService,
  packageService,
  prop,
  ROOT,
  removePackagedService,
  statementsOf,
} from '../helpers/packaged-service';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** The functions that run commands and so tell of them; redrive only moves failures back to the commands queue. */
const PUBLISHERS = ['window', 'commands', 'incident', 'worker'] as const;
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const BUS_ARN = { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/ops-bus' };

let withBus: PackagedService;
let withoutBus: PackagedService;

beforeAll(async () => {
  [withBus, withoutBus] = await Promise.all([packageService(['--param=eventBusName=ops-bus']), packageService()]);
}, 240_000);
afterAll(removePackagedService);

const putEventsOf = (service: PackagedService, fn: string) =>
  statementsOf(functionRole(service.resources, fn)).filter((s) => s.Action.some((a) => a.startsWith('events:')));

describe('a stage with an event bus (eventBusName: ops-bus)', () => {
  it.each(PUBLISHERS)('gives %s the bus’s name, and events:PutEvents on that bus and nothing else', (fn) => {
    expect(environmentOf(withBus.resources, fn).MP_EVENT_BUS_NAME).toBe('ops-bus');
    expect(putEventsOf(withBus, fn)).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: [BUS_ARN] }]);
  });

  it('gives redrive neither the bus nor any events permission', () => {
    expect(environmentOf(withBus.resources, 'redrive').MP_EVENT_BUS_NAME).toBeUndefined();
    expect(putEventsOf(withBus, 'redrive')).toEqual([]);
  });

  it('grants no events action anywhere else in the template', () => {
    const owners = allStatements(withBus.resources)
      .filter(({ statement }) => statement.Action.some((a) => a.startsWith('events:')))
      .map(({ owner }) => owner)
      .sort();
    expect(owners).toEqual(PUBLISHERS.map((fn) => `${fn[0]?.toUpperCase()}${fn.slice(1)}IamRoleLambdaExecution`).sort());
  });

  it('publishes, from a runtime built from the window function’s template environment, to that bus', async () => {
    const client = new EventBridgeClient({ region: 'ap-northeast-2', credentials: { accessKeyId: 'F', secretAccessKey: 'F' } });
    const bridge = mockClient(client)
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const env = { MP_EVENT_BUS_NAME: String(environmentOf(withBus.resources, 'window').MP_EVENT_BUS_NAME) };
    const runtime = await createAwsRuntime({
      env: { ...env, MP_ACCOUNTS_FILE: join(ROOT, 'config/accounts.ci.json') },
      clients: { eventBridge: client },
    });

    const command = aCommand();
    await runtime.events?.publish(runEvents(command, [], aSummaryOf(command)));

    const entries = bridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toEqual([expect.objectContaining({ EventBusName: 'ops-bus', DetailType: 'Command Completed' })]);
  });
});

describe('a stage without one (eventBusName empty, the default)', () => {
  it('grants no events action to any role, and its functions have no bus: they publish nothing', async () => {
    expect(
      allStatements(withoutBus.resources).filter(({ statement }) => statement.Action.some((a) => a.startsWith('events:'))),
    ).toEqual([]);
    for (const fn of PUBLISHERS) expect(environmentOf(withoutBus.resources, fn).MP_EVENT_BUS_NAME, fn).toBe('');
    const runtime = await createAwsRuntime({
      env: { MP_EVENT_BUS_NAME: '', MP_ACCOUNTS_FILE: join(ROOT, 'config/accounts.ci.json') },
    });
    expect(runtime.events).toBeUndefined();
  });

  it('outputs the commands queue’s ARN for publishers', () => {
    // Outputs are not resources; read them from the template file.
    expect(prop(withoutBus.outputs, 'CommandsQueueArn', 'Value')).toEqual({ 'Fn::GetAtt': ['CommandsQueue', 'Arn'] });
  });
});

function aSummaryOf(command: ReturnType<typeof aCommand>) {
  return {
    commandId: command.commandId,
    action: command.action,
    dryRun: false,
    targets: 0,
    byProvider: {},
    totals: {},
    accountFailures: [],
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:00:00.000Z',
    seconds: 0,
  };
}
