import type { parseArgs } from 'node:util';
import { PROVIDER_KEYS, PROVIDER_MANIFESTS } from '../lib/providers/keys';
import type { RemoteTarget } from './remote';

/** A command's flag table, in node:util parseArgs' own shape. */
export type FlagTable = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** What parseArgs makes of argv for one flag table. */
export type FlagValues<F extends FlagTable> = ReturnType<typeof parseArgs<{ options: F; allowPositionals: true }>>['values'];

/** Which tasks a pause, resume or plan acts on: shared by the three, documented once in SCOPE_HELP. */
export const SCOPE_FLAGS = {
  all: { type: 'boolean' },
  provider: { type: 'string', multiple: true },
  account: { type: 'string', multiple: true },
  task: { type: 'string', multiple: true },
  name: { type: 'string' },
  'exclude-provider': { type: 'string', multiple: true },
  'exclude-account': { type: 'string', multiple: true },
  'exclude-task': { type: 'string', multiple: true },
  'exclude-name': { type: 'string' },
} as const satisfies FlagTable;

/** Local mode: the accounts file, the state directory and how long to wait for it. */
export const LOCAL_FLAGS = {
  accounts: { type: 'string' },
  'state-dir': { type: 'string' },
  wait: { type: 'string' },
} as const satisfies FlagTable;

/** Remote mode: the deployed stage and where it lives. */
export const REMOTE_FLAGS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
} as const satisfies FlagTable;

/**
 * Every command that reads or changes state takes these. --yes is taken (and means nothing) where nothing is asked,
 * so that a script can pass it to every command alike.
 */
export const COMMON_FLAGS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  yes: { type: 'boolean', short: 'y' },
} as const satisfies FlagTable;

/** Local and remote mode and output: what every command that reads the ledger or runs a command takes. */
export const MODE_FLAGS = { ...LOCAL_FLAGS, ...REMOTE_FLAGS, ...COMMON_FLAGS } as const satisfies FlagTable;

/** The providers by name, from the registry: a provider added there shows in every help text with no CLI change. */
export const PROVIDER_NAMES = PROVIDER_MANIFESTS.map((m) => m.displayName).join(', ');

export const DEFAULT_STATE_DIR = '.migration-pauser';
export const DEFAULT_ACCOUNTS_FILE = 'accounts.json';

export const SCOPE_HELP = `scope (combine freely; repeat a flag for several values; every given selector must match):
  --all | --provider KEY | --account NAME | --task ID | --name GLOB
  --exclude-provider KEY | --exclude-account NAME | --exclude-task ID | --exclude-name GLOB
  --task takes a bare task id or provider/account/id, the form status and history print
  providers: ${PROVIDER_KEYS.join(', ')}`;

const LOCAL_HELP = `  --accounts FILE       local mode: accounts file (default $MIGRATION_PAUSER_ACCOUNTS, else ./${DEFAULT_ACCOUNTS_FILE})
  --state-dir DIR       local mode: where the embedded ledger and failures file live (default
                        $MIGRATION_PAUSER_STATE_DIR, else ${DEFAULT_STATE_DIR})
  --wait SECONDS        local mode: how long to wait while another run holds the state dir's ledger (default 60,
                        0: do not wait); then exit 3`;

const REMOTE_HELP = `  --stage S             remote mode: act through the deployed stage S instead of in this process
  --region R            remote mode: its AWS region (default $AWS_REGION, else ap-northeast-2)
  --profile P           remote mode: the AWS profile (default $AWS_PROFILE, else the default credentials)`;

/** The help lines of MODE_FLAGS. */
export const MODE_HELP = `${LOCAL_HELP}
${REMOTE_HELP}
  --json                print JSON instead of a table`;

export const EXIT_CODES_HELP = `exit codes: 0 all good, 1 some targets failed (or a resume left some paused: named), 2 bad input (or a
  pause --all not confirmed),
  3 configuration, credentials or connection problem (an invalid accounts file, an account whose secret is missing
  or refused, a provider endpoint that cannot be reached, the local ledger still held by another run after --wait,
  or in remote mode: no AWS credentials, access denied, AWS unreachable, or the stage not deployed)`;

/** Where the embedded ledger lives: --state-dir, else $MIGRATION_PAUSER_STATE_DIR, else ./.migration-pauser. */
export function stateDirOf(values: { 'state-dir'?: string }, env: Record<string, string | undefined>): string {
  return values['state-dir'] ?? (env.MIGRATION_PAUSER_STATE_DIR || undefined) ?? DEFAULT_STATE_DIR;
}

/** The accounts file: --accounts, else $MIGRATION_PAUSER_ACCOUNTS, else ./accounts.json. */
export function accountsPathOf(values: { accounts?: string }, env: Record<string, string | undefined>): string {
  return values.accounts ?? (env.MIGRATION_PAUSER_ACCOUNTS || undefined) ?? DEFAULT_ACCOUNTS_FILE;
}

/** Remote mode's target, or undefined in local mode (no --stage). */
export function remoteTargetOf(values: { stage?: string; region?: string; profile?: string }): RemoteTarget | undefined {
  if (values.stage === undefined) return undefined;
  return {
    stage: values.stage,
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  };
}

/** The flags that point a suggested command at the same stage. */
export function remoteArgs(target: RemoteTarget): string {
  return [
    ` --stage ${target.stage}`,
    target.region ? ` --region ${target.region}` : '',
    target.profile ? ` --profile ${target.profile}` : '',
  ].join('');
}

/** The flags that point a suggested command at the same state directory (none for the default). */
export function stateArgs(values: { 'state-dir'?: string }): string {
  return values['state-dir'] ? ` --state-dir ${values['state-dir']}` : '';
}
