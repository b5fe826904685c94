import type { ProviderKey } from '../lib/providers/types';
import type { SimTask } from '../sim';

/**
 * The documented API limits the floor is computed from (providers.md): list page sizes, the batch limit of the
 * pause call, and whether a batch status read exists. These are the provider's numbers, not our adapters'.
 */
export const DOCUMENTED: Record<
  ProviderKey,
  { pageSize: number; listPerDbUseType: boolean; pauseBatch: number; statusBatch: number | undefined }
> = {
  // NCP: limit default 100 (no larger page documented), one pause call per policy, one GET per policy.
  'ncp-object-migration': { pageSize: 100, listPerDbUseType: false, pauseBatch: 1, statusBatch: undefined },
  // OMS: limit ≤ 100, stop per task, GET per task.
  'huawei-oms': { pageSize: 100, listPerDbUseType: false, pauseBatch: 1, statusBatch: undefined },
  // DRS: per_page ≤ 100 per db_use_type; batch-pause-task and batch-status (maximum unknown: default 20).
  'huawei-drs': { pageSize: 100, listPerDbUseType: true, pauseBatch: 20, statusBatch: 20 },
  // DCS: limit ≤ 1000; batch-stop ≤ 50; no batch status: GET per task.
  'huawei-dcs': { pageSize: 1000, listPerDbUseType: false, pauseBatch: 50, statusBatch: undefined },
  // DMS: DescribeReplicationTasks MaxRecords ≤ 100, also read back by an ARN filter; stop per task.
  'aws-dms': { pageSize: 100, listPerDbUseType: false, pauseBatch: 1, statusBatch: 100 },
};

export interface AccountBound {
  account: string;
  provider: ProviderKey;
  tasks: number;
  acting: number;
  listRequests: number;
  pauseRequests: number;
  confirmRequests: number;
  requests: number;
  seconds: number;
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** The fewest requests the documented API needs to pause `acting` of an account's tasks, and that ÷ the rate. */
export function accountBound(
  account: string,
  provider: ProviderKey,
  tasks: readonly SimTask[],
  acting: number,
  perSecond: number,
): AccountBound {
  const doc = DOCUMENTED[provider];
  let listRequests: number;
  if (doc.listPerDbUseType) {
    const kinds = ['migration', 'sync', 'cloudDataGuard'] as const;
    listRequests = kinds.reduce(
      (sum, kind) => sum + pages(tasks.filter((t) => (t.dbUseType ?? 'migration') === kind).length, doc.pageSize),
      0,
    );
  } else {
    listRequests = pages(tasks.length, doc.pageSize);
  }
  const pauseRequests = Math.ceil(acting / doc.pauseBatch);
  const confirmRequests = doc.statusBatch === undefined ? acting : Math.ceil(acting / doc.statusBatch);
  const requests = listRequests + pauseRequests + confirmRequests;
  return {
    account,
    provider,
    tasks: tasks.length,
    acting,
    listRequests,
    pauseRequests,
    confirmRequests,
    requests,
    seconds: requests / perSecond,
  };
}

/** What a shell loop sends for the same account: the list pages, then one pause and one read per task. */
export function sequentialRequests(bound: AccountBound): number {
  return bound.listRequests + 2 * bound.acting;
}
