import type { ProviderKey } from '../lib/providers/types';
import { SIM_GATEWAYS } from './gateway';
import { SIM_PROVIDERS } from './provider-keys';
import { seededRandom } from './random';
import type { FleetStates, Scenario, SimAccount, SimFleet, SimTask } from './types';

const fleetOf = (provider: ProviderKey): SimFleet => SIM_GATEWAYS[provider].fleet;

/** Which wire states each provider's fleet is drawn from, by how the pipeline sees them (from its gateway). */
export const STATES = Object.fromEntries(SIM_PROVIDERS.map((key) => [key, fleetOf(key).states])) as Record<
  ProviderKey,
  FleetStates
>;

/** Per ten tasks: six running, one each paused, finished, failed, waiting. */
const MIX: Array<keyof FleetStates> = [
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

function makeAccount(provider: ProviderKey, index: number): SimAccount {
  const fleet = fleetOf(provider);
  const short = fleet.short.toUpperCase();
  const n = pad(index + 1, 2);
  return {
    name: `${fleet.short}-${n}`,
    provider,
    accessKey: `FAKE-${short}-AK-${n}`,
    secretKey: `FAKE-${short}-SK-${n}`,
    ...fleet.accountExtras(n),
  };
}

/**
 * A mixed fleet, deterministic for a seed: per provider, `accountsPerProvider` accounts and `tasksPerProvider`
 * tasks, mostly running, some paused, finished, failed and waiting; each provider's simulator says how its accounts
 * and tasks look (`SimGateway.fleet`: DCS includes a few backupfile_import tasks, NCP a Korean title).
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
      tasks.push(fleetOf(provider).task(account, state, i, n, random));
    });
    const running = tasks.filter((t) => t.provider === provider && STATES[provider].running.includes(t.state));
    for (const task of running.slice(0, options.refusingPerProvider ?? 0)) {
      task.failsAction = { code: fleetOf(provider).refusalCode, message: 'the service refused this task (simulated)' };
    }
  }
  return { accounts, tasks, seed };
}
