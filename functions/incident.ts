import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { loadAccountsFile } from '../lib/config';
import { parseCommand } from '../lib/core/command';
import { runCommand } from '../lib/core/run';
import type { Summary } from '../lib/core/types';
import { createLocalRuntime } from '../lib/local/runtime';
import { createLocalSecretSource } from '../lib/local/secrets';
import { adapters } from '../lib/providers/registry';

const logger = new Logger({ serviceName: 'migration-pauser' });

/**
 * Direct invoke for incidents: the event is one Command; the reply is the run summary.
 * Walking skeleton: accounts from the bundled file named by MIGRATION_PAUSER_ACCOUNTS and the embedded
 * ledger in /tmp. Secrets Manager, the DynamoDB ledger and the work queues replace these on AWS.
 */
export const handler = middy(async (event: unknown): Promise<Summary> => {
  const command = parseCommand(event);
  logger.appendKeys({ commandId: command.commandId });
  const runtime = await createLocalRuntime({
    accounts: await loadAccountsFile(process.env.MIGRATION_PAUSER_ACCOUNTS ?? 'accounts.json'),
    adapters,
    secrets: createLocalSecretSource(),
    stateDir: process.env.MIGRATION_PAUSER_STATE_DIR ?? '/tmp/migration-pauser',
  });
  const { summary } = await runCommand(command, runtime);
  logger.info('run finished', { summary });
  return summary;
});
