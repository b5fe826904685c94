import type { ProviderError } from '../../../../lib/core/errors';
import { huaweiError } from '../../../helpers/fake-huawei-client';

export { type FakeClient, type FakeHandler, fakeClient } from '../../../helpers/fake-huawei-client';

export function dcsError(code: string, errorClass: ProviderError['errorClass'], status = 400): ProviderError {
  return huaweiError('huawei-dcs', code, errorClass, status);
}

/** A DCS task as the service sends it, passwords included. */
export function aDcsWireTask(n: number, overrides: Record<string, unknown> = {}) {
  return {
    task_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    task_name: `redis-${n}`,
    description: 'copy',
    status: 'MIGRATING',
    migration_type: 'online_migration',
    migration_method: 'incremental_migration',
    network_type: 'vpc',
    source_instance: { addrs: '10.0.0.1:6379', password: `FAKE-REDIS-PW-${n}` },
    target_instance: { id: `inst-${n}`, name: `target-${n}`, password: `FAKE-REDIS-PW-T${n}` },
    created_at: '2019/10/22 14:44:30',
    updated_at: '2019/10/22 14:54:30',
    ...overrides,
  };
}
