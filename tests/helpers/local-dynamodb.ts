import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createLedgerTableInput } from '../../lib/aws/ledger-dynamodb';

/** A DynamoDB-protocol server (dynalite, in memory) on 127.0.0.1 and a client pointed at it. */
export interface LocalDynamoDb {
  client: DynamoDBClient;
  endpoint: string;
  /** Creates a fresh, empty ledger table (so each test starts clean) and returns its name: `name`, or a new one. */
  createLedgerTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tables = 0;

export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Tables become ACTIVE at once; dynalite's default half-second CREATING state would only slow the tests.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
    maxAttempts: 1,
  });

  return {
    client,
    endpoint,
    async createLedgerTable(name) {
      tables += 1;
      const tableName = name ?? `ledger-test-${tables}`;
      await client.send(new CreateTableCommand(createLedgerTableInput(tableName)));
      // dynalite turns a table ACTIVE on a timer, even at 0 ms: writing before then fails with ResourceNotFound.
      for (let i = 0; i < 200; i++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') return tableName;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`table ${tableName} did not become ACTIVE`);
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
