import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { once, sqsSdk } from '../lib/aws/clients';
import { DynamoDbLedger } from '../lib/aws/ledger-dynamodb';
import { type RedriveResult, redriveFailures } from '../lib/aws/redrive-sqs';
import type { Command } from '../lib/core/command';
import { ERROR_CLASSES, MigrationPauserError } from '../lib/core/errors';
import type { RedriveRequest } from '../lib/core/redrive';
import type { Summary } from '../lib/core/types';
import { PROVIDER_KEYS } from '../lib/providers/types';
import { RemoteAccessError, RemoteConnectionError, RemoteFunctionError, RemoteInvalidCommandError } from './errors';
import '../lib/core/zod-messages';

/** Which deployment remote mode talks to: `--stage`, `--region`, `--profile` (or the standard AWS_* variables). */
export interface RemoteTarget {
  stage: string;
  region?: string;
  profile?: string;
}

/** The AWS clients remote mode uses, made on first use (tests hand in mocked or local ones). */
export interface RemoteClients {
  lambda(): Promise<LambdaClient>;
  sqs(): Promise<SQSClient>;
  dynamodb(): Promise<DynamoDBClient>;
}

/** serverless.yml's region when neither --region nor AWS_REGION says otherwise. */
export const DEFAULT_REGION = 'ap-northeast-2';

/**
 * The deployed resources of a stage. serverless.yml names them `${self:custom.queuePrefix}-…` with queuePrefix
 * `${self:service}-${sls:stage}`, and functions `<service>-<stage>-<function>` (the framework's default);
 * a test keeps these in step with the file.
 */
export function remoteNames(stage: string) {
  const prefix = `migration-pauser-${stage}`;
  return {
    incidentFunction: `${prefix}-incident`,
    failuresQueue: `${prefix}-failures`,
    commandsQueue: `${prefix}-commands`,
    ledgerTable: `${prefix}-ledger`,
  };
}

export function regionOf(target: RemoteTarget, env: Record<string, string | undefined>): string {
  return target.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
}

/** Real clients for the stage's region and profile; each SDK is loaded only when its command needs it. */
export function createRemoteClients(target: RemoteTarget, env: Record<string, string | undefined>): RemoteClients {
  const config = { region: regionOf(target, env), ...(target.profile ? { profile: target.profile } : {}) };
  return {
    lambda: once(async (): Promise<LambdaClient> => new (await import('@aws-sdk/client-lambda')).LambdaClient(config)),
    sqs: once(async (): Promise<SQSClient> => new (await sqsSdk()).SQSClient(config)),
    dynamodb: once(async (): Promise<DynamoDBClient> => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient(config)),
  };
}

const countsSchema = z.record(z.string(), z.number());
const summarySchema = z.object({
  commandId: z.string(),
  action: z.enum(['pause', 'resume']),
  dryRun: z.boolean(),
  targets: z.number(),
  byProvider: z.partialRecord(z.enum(PROVIDER_KEYS), countsSchema),
  totals: countsSchema,
  accountFailures: z.array(
    z.object({
      provider: z.enum(PROVIDER_KEYS),
      account: z.string(),
      errorClass: z.enum(ERROR_CLASSES),
      providerCode: z.optional(z.string()),
      reason: z.string(),
      unreachable: z.optional(z.object({ endpoint: z.string(), code: z.string() })),
    }),
  ),
  startedAt: z.string(),
  finishedAt: z.string(),
  seconds: z.number(),
});
const incidentReplySchema = z.object({
  summary: summarySchema,
  mode: z.enum(['in-process', 'dispatched']),
  followWith: z.optional(z.string()),
});
export interface IncidentReply {
  summary: Summary;
  mode: 'in-process' | 'dispatched';
  followWith?: string;
}

const functionErrorSchema = z.object({ errorType: z.optional(z.string()), errorMessage: z.optional(z.string()) });

/** Runs a command through the stage's `incident` function and returns its summary (plan: a dry-run command). */
export async function invokeIncident(
  clients: RemoteClients,
  target: RemoteTarget,
  command: Command,
  env: Record<string, string | undefined>,
): Promise<IncidentReply> {
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  const functionName = remoteNames(target.stage).incidentFunction;
  const reply = await withAccessHints(target, env, `invoke ${functionName}`, async () =>
    (await clients.lambda()).send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(command)) }),
    ),
  );
  const text = reply.Payload ? new TextDecoder().decode(reply.Payload) : '';
  if (reply.FunctionError) {
    const error = functionErrorSchema.safeParse(safeJson(text));
    const type = error.success ? (error.data.errorType ?? 'Error') : 'Error';
    const message = error.success ? (error.data.errorMessage ?? text) : text.slice(0, 500);
    if (type === 'CommandValidationError' || /^invalid command/.test(message)) {
      throw new RemoteInvalidCommandError(
        `${functionName} refused the command: ${message} — check the CLI matches the deployed version (git log, osls deploy)`,
      );
    }
    throw new RemoteFunctionError(
      `${functionName} failed: ${type}: ${message} — see its logs: aws logs tail /aws/lambda/${functionName} --since 15m`,
    );
  }
  const parsed = incidentReplySchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new RemoteFunctionError(
      `${functionName} answered something that is not a run summary — is the stage's deployment current?`,
    );
  }
  return parsed.data as IncidentReply;
}

/** Moves the stage's target failures back to its commands queue as new commands (or only shows them, on a dry run). */
export async function redriveRemote(
  clients: RemoteClients,
  target: RemoteTarget,
  request: RedriveRequest,
  env: Record<string, string | undefined>,
): Promise<RedriveResult> {
  const { GetQueueUrlCommand } = await sqsSdk();
  const names = remoteNames(target.stage);
  const sqs = await clients.sqs();
  const urlOf = (queue: string) =>
    withAccessHints(target, env, `find queue ${queue}`, async () => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      if (!QueueUrl) throw new RemoteAccessError(`queue ${queue} has no URL`);
      return QueueUrl;
    });
  const failuresQueueUrl = await urlOf(names.failuresQueue);
  const commandsQueueUrl = await urlOf(names.commandsQueue);
  return withAccessHints(target, env, `redrive ${names.failuresQueue}`, () =>
    redriveFailures({ sqs, failuresQueueUrl, commandsQueueUrl }, request),
  );
}

/** The stage's DynamoDB ledger, read by status and history; calls go through `read` for the same hints. */
export async function remoteLedger(clients: RemoteClients, target: RemoteTarget) {
  const tableName = remoteNames(target.stage).ledgerTable;
  return { ledger: new DynamoDbLedger({ client: await clients.dynamodb(), tableName }), tableName };
}

/** Runs one AWS call, turning "who are you / you may not / it is not there" into what to do about it. */
export async function withAccessHints<T>(
  target: RemoteTarget,
  env: Record<string, string | undefined>,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw accessErrorOf(error, target, env, what) ?? error;
  }
}

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
]);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const MISSING = new Set([
  'ResourceNotFoundException',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'NonExistentQueue',
]);

/** Socket errors: nothing answered, so neither credentials nor the stage were even looked at. */
const CONNECTION_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const connectionSchema = z.object({
  code: z.optional(z.string()),
  hostname: z.optional(z.string()),
  address: z.optional(z.string()),
  port: z.optional(z.number()),
});

/** The socket error in an SDK error (on it, or on its cause): its code and where it tried to connect. */
function connectionFailureOf(error: Error): { code: string; endpoint?: string } | undefined {
  for (const candidate of [error, error.cause]) {
    const parsed = connectionSchema.safeParse(candidate);
    if (!parsed.success || !parsed.data.code || !CONNECTION_CODES.has(parsed.data.code)) continue;
    const { code, hostname, address, port } = parsed.data;
    const host = hostname ?? address;
    return { code, ...(host ? { endpoint: port ? `${host}:${port}` : host } : {}) };
  }
  return undefined;
}

/** A RemoteAccessError saying what to do, or undefined when the error is not about access. */
export function accessErrorOf(
  error: unknown,
  target: RemoteTarget,
  env: Record<string, string | undefined>,
  what: string,
): RemoteAccessError | undefined {
  if (!(error instanceof Error) || error instanceof MigrationPauserError) return undefined;
  const region = regionOf(target, env);
  const profile = target.profile ?? env.AWS_PROFILE;
  const as = profile ? `profile ${profile}` : 'the default credentials';
  const connection = connectionFailureOf(error);
  if (connection || error.name === 'TimeoutError') {
    const where = connection?.endpoint ?? `AWS in ${region}`;
    return new RemoteConnectionError(
      `cannot ${what}: cannot connect to ${where} (${connection?.code ?? 'timeout'}) — check that ${region} is the stage's region (--region), that this machine reaches AWS (network, VPN, proxy: HTTPS_PROXY), and that no AWS_ENDPOINT_URL variable points elsewhere`,
    );
  }
  if (NO_CREDENTIALS.has(error.name) || /could not load credentials|credential/i.test(error.message)) {
    return new RemoteAccessError(
      `cannot ${what}: no AWS credentials found (${as}) — run aws sso login${profile ? ` --profile ${profile}` : ''}, or pass --profile NAME / set AWS_PROFILE, then check with aws sts get-caller-identity`,
    );
  }
  if (BAD_CREDENTIALS.has(error.name)) {
    return new RemoteAccessError(
      `cannot ${what}: AWS did not accept the credentials of ${as} (${error.name}) — refresh them (aws sso login) and check with aws sts get-caller-identity`,
    );
  }
  if (DENIED.has(error.name) || /not authorized to perform/i.test(error.message)) {
    return new RemoteAccessError(
      `cannot ${what}: access denied for ${as} in ${region} — use a role allowed to operate migration-pauser (see docs/runbook.md, "Permissions"), e.g. --profile NAME`,
    );
  }
  if (MISSING.has(error.name)) {
    return new RemoteAccessError(
      `cannot ${what}: it does not exist in ${region} — check --stage ${target.stage} and --region (deployed stages: aws cloudformation list-stacks --query "StackSummaries[?starts_with(StackName,'migration-pauser-')].StackName"), or deploy with npx osls deploy --stage ${target.stage}`,
    );
  }
  return undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
