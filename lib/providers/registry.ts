import type { AdapterRegistry } from '../core/sessions';
import { huaweiDcsAdapter } from './huawei-dcs';
import { huaweiDrsAdapter } from './huawei-drs';
import { huaweiOmsAdapter } from './huawei-oms';
import { ncpObjectMigrationAdapter } from './ncp-object-migration';

/** Provider key → adapter. Adding a provider: one folder under lib/providers and one line here. */
export const adapters: AdapterRegistry = {
  'ncp-object-migration': ncpObjectMigrationAdapter,
  'huawei-oms': huaweiOmsAdapter,
  'huawei-drs': huaweiDrsAdapter,
  'huawei-dcs': huaweiDcsAdapter,
};
