import type { AdapterRegistry } from '../core/sessions';
import { awsDmsAdapter } from './aws-dms';
import { huaweiDcsAdapter } from './huawei-dcs';
import { huaweiDrsAdapter } from './huawei-drs';
import { huaweiOmsAdapter } from './huawei-oms';
import { manifestOf, type ProviderKey, type ProviderManifest } from './keys';
import { ncpObjectMigrationAdapter } from './ncp-object-migration';
import type { ProviderAdapter } from './types';

/** A provider as the system runs it: its manifest (what it is, what its accounts and secrets hold) and its adapter. */
export interface ProviderModule {
  manifest: ProviderManifest;
  adapter: ProviderAdapter;
}

/**
 * Provider key → adapter. Adding a provider: its folder under lib/providers (manifest.ts, adapter, index.ts), its
 * manifest in keys.ts, and one line here — a provider missing here is a compile error (the record needs every key).
 */
export const adapters: AdapterRegistry = {
  'ncp-object-migration': ncpObjectMigrationAdapter,
  'huawei-oms': huaweiOmsAdapter,
  'huawei-drs': huaweiDrsAdapter,
  'huawei-dcs': huaweiDcsAdapter,
  'aws-dms': awsDmsAdapter,
};

export function moduleOf(key: ProviderKey): ProviderModule {
  return { manifest: manifestOf(key), adapter: adapters[key] };
}
