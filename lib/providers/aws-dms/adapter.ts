import { type Capabilities, type ProviderAdapter, secretRefOf } from '../types';
import { createDmsCalls } from './client';
import { dmsCredentials } from './credentials';
import { createDmsSession } from './session';

export const DMS_CAPABILITIES: Capabilities = {
  // Stop and start take one task each (sent side by side, each through the rate limiter), but a chunk's tasks are read
  // back together, one DescribeReplicationTasks with an ARN filter: chunks of 25 stop in ~5 s at the default rate.
  batchLimit: 25,
  // A stop waits for the task to finish applying what it holds, often a minute or more; a poll reads the whole chunk
  // in one call, so polling every 2 s costs one request per chunk, and a quick stop is not waited on for long.
  confirm: { intervalMs: 2_000, deadlineMs: 240_000 },
  // DMS publishes no per-call rate for these operations: stay well under its throttling (configurable per account).
  rateLimit: { perSecond: 5, burst: 5 },
  describe: 'AWS DMS: stop, resume later with resume-processing (one call per task)',
};

/** AWS Database Migration Service replication tasks, through the AWS SDK, with an assumed role per account. */
export const awsDmsAdapter: ProviderAdapter = {
  key: 'aws-dms',
  capabilities: DMS_CAPABILITIES,
  open({ account, secret, http }) {
    const credentials = dmsCredentials({ account, secret, secretRef: secretRefOf(account), http });
    return createDmsSession({ accountName: account.name, calls: createDmsCalls({ account, credentials, http }) });
  },
};
