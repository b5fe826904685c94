import type { ProviderKey } from '../lib/providers/types';
import { SIM_GATEWAYS } from './gateway';

/**
 * The providers the simulator serves: the keys of its gateways (its own list, since it may import only types from
 * lib/). SIM_GATEWAYS is a Record over every ProviderKey, so lib adding a provider fails to compile until it is served.
 */
export const SIM_PROVIDERS = Object.keys(SIM_GATEWAYS) as [ProviderKey, ...ProviderKey[]];
