import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { FileLock } from '../../lib/local/file-lock';

/**
 * Packages the service exactly as CI does (`osls package --stage ci`, offline, no AWS credentials) and reads the
 * generated CloudFormation, so tests check what AWS will read rather than the YAML. Packaging bundles every
 * function (~10 s): it runs once per test file however many tests ask for it.
 */

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '../..');
const OSLS = join(ROOT, 'node_modules/osls/bin/serverless.js');

/** The service and stage prefix of every resource name in the `ci` package. */
export const CI_PREFIX = 'migration-pauser-ci';

const resourceSchema = z.looseObject({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).default({}) });
const templateSchema = z.looseObject({
  Resources: z.record(z.string(), resourceSchema),
  Outputs: z.record(z.string(), z.unknown()).default({}),
});
export type Resource = z.output<typeof resourceSchema>;

export interface PackagedService {
  /** Where `osls package` wrote the template and the zips. */
  dir: string;
  resources: Record<string, Resource>;
  outputs: Record<string, unknown>;
}

const packaged = new Map<string, Promise<PackagedService>>();

/**
 * The `ci` package, built on the first call of this test file and shared by its later calls; `extraArgs` (such as
 * `--param=eventBusName=ops`) make a package of their own.
 */
export function packageService(extraArgs: readonly string[] = []): Promise<PackagedService> {
  const key = extraArgs.join(' ');
  let built = packaged.get(key);
  if (!built) {
    built = build(extraArgs);
    packaged.set(key, built);
  }
  return built;
}

/** Removes the package directories (call from afterAll). */
export async function removePackagedService(): Promise<void> {
  const done = [...packaged.values()];
  packaged.clear();
  for (const p of done) {
    const dir = await p.then((pk) => pk.dir).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function build(extraArgs: readonly string[]): Promise<PackagedService> {
  const dir = await mkdtemp(join(tmpdir(), 'mp-package-'));
  // No credentials of any kind: packaging must never need an AWS account.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
  };
  // osls works in the project's .serverless and .esbuild directories whatever --package says: two packagings of one
  // checkout at once (test files run in parallel) remove each other's files. One at a time, across processes.
  await mkdir(join(ROOT, 'node_modules/.cache'), { recursive: true });
  const lock = await FileLock.acquire(join(ROOT, 'node_modules/.cache/mp-osls-package.lock'), ROOT, { waitMs: 240_000 });
  try {
    await run(process.execPath, [OSLS, 'package', '--stage', 'ci', ...extraArgs, '--package', dir], {
      cwd: ROOT,
      env,
      timeout: 80_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`osls package failed: ${e.message}\n${(e.stdout ?? '').slice(-3000)}\n${(e.stderr ?? '').slice(-3000)}`);
  } finally {
    lock.release();
  }
  const text = await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');
  const template = templateSchema.parse(JSON.parse(text));
  return { dir, resources: template.Resources, outputs: template.Outputs };
}

// ── reading the template ────────────────────────────────────────────────────────────────────────────────

type Json = unknown;

export interface Statement {
  Effect: string;
  Action: string[];
  Resource: Json[];
}

export function prop(value: Json, ...path: (string | number)[]): Json {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, Json>)[key];
  }
  return current;
}

/** The logical id behind `{ Ref: X }` or `{ "Fn::GetAtt": [X, attribute] }`. */
export function refTo(value: Json, attribute?: string): string | undefined {
  const ref = prop(value, 'Ref');
  if (attribute === undefined && typeof ref === 'string') return ref;
  const getAtt = prop(value, 'Fn::GetAtt');
  if (Array.isArray(getAtt) && getAtt[1] === attribute && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

export function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function toStatement(s: Json): Statement {
  return {
    Effect: String(prop(s, 'Effect')),
    Action: asArray(prop(s, 'Action')).map(String),
    Resource: asArray(prop(s, 'Resource')),
  };
}

/** The inline policy statements of a role. */
export function statementsOf(role: Resource): Statement[] {
  return asArray(role.Properties.Policies).flatMap((policy) =>
    asArray(prop(policy, 'PolicyDocument', 'Statement')).map(toStatement),
  );
}

/** Every statement of every role and policy in the template, with where it came from. */
export function allStatements(resources: Record<string, Resource>): { owner: string; statement: Statement }[] {
  const owners = Object.entries(resources).filter(([, r]) =>
    ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type),
  );
  return owners.flatMap(([owner, r]) => {
    const inline = statementsOf(r);
    const document = asArray(prop(r.Properties, 'PolicyDocument', 'Statement')).map(toStatement);
    return [...inline, ...document].map((statement) => ({ owner, statement }));
  });
}

/** `window` → `WindowLambdaFunction`, the logical id serverless gives a function. */
export function functionLogicalId(functionName: string): string {
  return `${functionName[0]?.toUpperCase()}${functionName.slice(1)}LambdaFunction`;
}

export function resourceIn(resources: Record<string, Resource>, logicalId: string): Resource {
  const found = resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
}

/** The role a function runs with (serverless-iam-roles-per-function gives each its own). */
export function functionRole(resources: Record<string, Resource>, functionName: string): Resource {
  const fn = resourceIn(resources, functionLogicalId(functionName));
  const roleId = refTo(fn.Properties.Role, 'Arn');
  if (!roleId) throw new Error(`${functionName} has no role of its own`);
  return resourceIn(resources, roleId);
}

/** A function's environment variables as written in the template (values may be Ref / Fn::Join / …). */
export function environmentOf(resources: Record<string, Resource>, functionName: string): Record<string, Json> {
  const fn = resourceIn(resources, functionLogicalId(functionName));
  const variables = prop(fn.Properties, 'Environment', 'Variables');
  return variables && typeof variables === 'object' ? (variables as Record<string, Json>) : {};
}

/** The DynamoDB actions the ledger's source sends, from the document-client and low-level commands it names. */
export function ledgerActionsUsedBy(source: string): Set<string> {
  const actions: Record<string, string[]> = {
    Put: ['PutItem'],
    PutItem: ['PutItem'],
    Delete: ['DeleteItem'],
    DeleteItem: ['DeleteItem'],
    Get: ['GetItem'],
    GetItem: ['GetItem'],
    Update: ['UpdateItem'],
    UpdateItem: ['UpdateItem'],
    Query: ['Query'],
    Scan: ['Scan'],
    BatchWrite: ['BatchWriteItem'],
    BatchWriteItem: ['BatchWriteItem'],
    BatchGet: ['BatchGetItem'],
    BatchGetItem: ['BatchGetItem'],
    TransactWrite: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
    TransactWriteItems: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
    TransactGet: ['GetItem'],
    TransactGetItems: ['GetItem'],
  };
  const used = new Set<string>();
  for (const match of source.matchAll(/new (?:\w+\.)?(\w+)Command\(/g)) {
    for (const action of actions[match[1] ?? ''] ?? []) used.add(`dynamodb:${action}`);
  }
  return used;
}
