import type { ProviderKey } from '../lib/providers/types';
import { SIM_PROVIDERS } from './provider-keys';
import { seededRandom } from './random';
import type { Scenario, SimAccount, SimTask } from './types';

/** Which wire states each provider's fleet is drawn from, by how the pipeline sees them. */
export const STATES: Record<
  ProviderKey,
  { running: string[]; paused: string[]; finished: string[]; failed: string[]; waiting: string[] }
> = {
  'ncp-object-migration': {
    running: ['STARTED'],
    paused: ['PAUSED'],
    finished: ['DONE', 'DELETED'],
    failed: ['ERROR'],
    waiting: ['INITIALIZED'],
  },
  'huawei-oms': { running: ['2'], paused: ['3'], finished: ['5'], failed: ['4'], waiting: ['1'] },
  'huawei-drs': {
    running: ['INCRE_TRANSFER_STARTED', 'FULL_TRANSFER_STARTED', 'FULL_TRANSFER_COMPLETE'],
    paused: ['PAUSING'],
    finished: ['DELETED', 'RELEASE_RESOURCE_COMPLETE'],
    failed: ['START_JOB_FAILED', 'CREATE_FAILED'],
    waiting: ['CONFIGURATION', 'WAITING_FOR_START'],
  },
  'huawei-dcs': {
    running: ['MIGRATING', 'FULLMIGRATING', 'INCRMIGEATING'],
    paused: ['TERMINATED'],
    finished: ['SUCCESS', 'RELEASED'],
    failed: ['FAILED', 'MIGRATION_FAILED'],
    waiting: ['RUNNING'],
  },
  'aws-dms': {
    running: ['running'],
    paused: ['stopped'],
    finished: ['deleting'],
    failed: ['failed', 'failed-move'],
    waiting: ['ready', 'creating'],
  },
};

const SHORT: Record<ProviderKey, string> = {
  'ncp-object-migration': 'ncp',
  'huawei-oms': 'oms',
  'huawei-drs': 'drs',
  'huawei-dcs': 'dcs',
  'aws-dms': 'dms',
};

/** What a refusing task answers: a busy or invalid-state code of each provider. */
const REFUSAL_CODE: Record<ProviderKey, string> = {
  'ncp-object-migration': '100',
  'huawei-oms': 'OMS.0066',
  'huawei-drs': 'DRS.10020003',
  'huawei-dcs': 'DCS.4135',
  'aws-dms': 'InvalidResourceStateFault',
};

/** Per ten tasks: six running, one each paused, finished, failed, waiting. */
const MIX: Array<keyof (typeof STATES)['huawei-oms']> = [
  'running',
  'running',
  'running',
  'running',
  'running',
  'running',
  'paused',
  'finished',
  'failed',
  'waiting',
];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  // Version 4, variant 10xx, so validators that check those bits accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(random() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What a generated account of each provider carries beyond its keys (a new provider must say: compile error). */
const ACCOUNT_EXTRAS: Record<ProviderKey, (n: string) => Partial<SimAccount> & { region: string }> = {
  'ncp-object-migration': () => ({ region: 'KR' }),
  'huawei-oms': (n) => ({
    region: 'ap-southeast-1',
    projectId: `fakeprojectoms${n}`,
    oms: { dst_ak: `FAKE-OMS-DST-AK-${n}`, dst_sk: `FAKE-OMS-DST-SK-${n}` },
  }),
  'huawei-drs': (n) => ({ region: 'ap-southeast-1', projectId: `fakeprojectdrs${n}` }),
  'huawei-dcs': (n) => ({ region: 'ap-southeast-1', projectId: `fakeprojectdcs${n}` }),
  'aws-dms': (n) => ({
    region: DMS_REGION,
    roleArn: `arn:aws:iam::000000000000:role/fake-dms-operator-${n}`,
    externalId: `fake-external-id-${n}`,
  }),
};

/** The region of generated DMS accounts, which their tasks' ARNs name. */
const DMS_REGION = 'ap-northeast-2';

function makeAccount(provider: ProviderKey, index: number): SimAccount {
  const short = SHORT[provider].toUpperCase();
  const n = pad(index + 1, 2);
  return {
    name: `${SHORT[provider]}-${n}`,
    provider,
    accessKey: `FAKE-${short}-AK-${n}`,
    secretKey: `FAKE-${short}-SK-${n}`,
    ...ACCOUNT_EXTRAS[provider](n),
  };
}

/**
 * A mixed fleet, deterministic for a seed: per provider, `accountsPerProvider` accounts and `tasksPerProvider`
 * tasks, mostly running, some paused, finished, failed and waiting. DCS includes a few backupfile_import tasks
 * (every seventh); NCP includes a Korean title so that path encoding is exercised.
 */
export function generateScenario(
  options: {
    seed?: number;
    tasksPerProvider?: number;
    accountsPerProvider?: number;
    providers?: ProviderKey[];
    /** Per provider, this many running tasks refuse their next pause or resume with the provider's error. */
    refusingPerProvider?: number;
  } = {},
): Scenario {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed);
  const tasksPerProvider = options.tasksPerProvider ?? 50;
  const accountsPerProvider = Math.max(1, options.accountsPerProvider ?? 1);
  const providers = options.providers ?? [...SIM_PROVIDERS];
  const accounts: SimAccount[] = [];
  const tasks: SimTask[] = [];
  for (const provider of providers) {
    const own = Array.from({ length: accountsPerProvider }, (_, i) => makeAccount(provider, i));
    accounts.push(...own);
    const kinds = Array.from({ length: tasksPerProvider }, (_, i) => MIX[i % MIX.length] ?? 'running');
    // Shuffle the kinds (Fisher-Yates) so states are not in a visible pattern, yet repeat for a seed.
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const [a, b] = [kinds[i], kinds[j]];
      if (a !== undefined && b !== undefined) [kinds[i], kinds[j]] = [b, a];
    }
    kinds.forEach((kind, i) => {
      const choices = STATES[provider][kind];
      const state = choices[Math.floor(random() * choices.length)] ?? choices[0] ?? 'UNKNOWN';
      const account = own[i % own.length]?.name ?? own[0]?.name ?? '';
      const n = pad(i + 1, 3);
      tasks.push(makeTask(provider, account, state, i, n, random));
    });
    const running = tasks.filter((t) => t.provider === provider && STATES[provider].running.includes(t.state));
    for (const task of running.slice(0, options.refusingPerProvider ?? 0)) {
      task.failsAction = { code: REFUSAL_CODE[provider], message: 'the service refused this task (simulated)' };
    }
  }
  return { accounts, tasks, seed };
}

function makeTask(
  provider: ProviderKey,
  account: string,
  state: string,
  index: number,
  n: string,
  random: () => number,
): SimTask {
  switch (provider) {
    case 'ncp-object-migration': {
      const title = index === 2 ? `테스트-${n}` : `bucket-sync-${n}`;
      return { provider, account, id: title, name: title, state };
    }
    case 'huawei-oms': {
      const id = String(191_297_407_000_000 + index * 1_000 + Math.floor(random() * 1_000));
      return { provider, account, id, name: `oms-task-${n}`, state };
    }
    case 'huawei-drs': {
      const dbUseType = (['migration', 'migration', 'sync', 'cloudDataGuard'] as const)[index % 4] ?? 'migration';
      return { provider, account, id: uuid(random), name: `drs-job-${n}`, state, dbUseType };
    }
    case 'huawei-dcs': {
      const migrationType = index % 7 === 3 ? 'backupfile_import' : 'online_migration';
      return { provider, account, id: uuid(random), name: `redis-migration-${n}`, state, migrationType };
    }
    case 'aws-dms': {
      const suffix = Array.from({ length: 22 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[Math.floor(random() * 32)]).join('');
      return { provider, account, id: `arn:aws:dms:${DMS_REGION}:000000000000:task:FAKE${suffix}`, name: `dms-task-${n}`, state };
    }
  }
}
