import type { ProviderKey } from '../lib/providers/types';

/** The providers the simulator serves; its own list, since it may import only types from lib/. */
export const SIM_PROVIDERS = [
  'ncp-object-migration',
  'huawei-oms',
  'huawei-drs',
  'huawei-dcs',
] as const satisfies readonly ProviderKey[];

/** Fails to compile when lib adds a provider the simulator does not serve yet. */
export const EVERY_PROVIDER_SERVED: ProviderKey extends (typeof SIM_PROVIDERS)[number] ? true : never = true;
