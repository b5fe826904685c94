import type {
  DescribeReplicationTasksCommandInput,
  StartReplicationTaskCommandInput,
  StopReplicationTaskCommandInput,
} from '@aws-sdk/client-database-migration-service';
import type { AccountConfig } from '../../config';
import { type Attempt, type HttpSettings, withProviderRetries } from '../../http/client';
import type { DmsCredentials } from './credentials';
import { type DmsErrorContext, dmsErrorFrom } from './errors';
import { sdkClientSettings } from './sdk-settings';

/** The three DMS operations this provider uses, each through our retry policy; answers are parsed by the caller. */
export interface DmsCalls {
  describeReplicationTasks(input: DescribeReplicationTasksCommandInput, context?: DmsErrorContext): Promise<unknown>;
  stopReplicationTask(input: StopReplicationTaskCommandInput, context?: DmsErrorContext): Promise<unknown>;
  startReplicationTask(input: StartReplicationTaskCommandInput, context?: DmsErrorContext): Promise<unknown>;
}

type DmsModule = typeof import('@aws-sdk/client-database-migration-service');
type DmsClient = InstanceType<DmsModule['DatabaseMigrationServiceClient']>;

let dmsModule: Promise<DmsModule> | undefined;
/** Loaded on first use: a function that never calls DMS never loads its SDK. */
const loadDms = () => {
  dmsModule ??= import('@aws-sdk/client-database-migration-service');
  return dmsModule;
};

export interface DmsClientOptions {
  account: AccountConfig;
  credentials: DmsCredentials;
  http: HttpSettings;
}

/**
 * One account's DMS client (built on the first call), each call through withProviderRetries: the account's rate
 * limiter before every attempt and told of every answer, throttling cutting its rate, retries with backoff. An action whose answer was lost is not
 * sent again (maybeApplied); a refusal of our credentials drops the assumed role so the next run assumes it afresh.
 */
export function createDmsCalls({ account, credentials, http }: DmsClientOptions): DmsCalls {
  let client: Promise<{ sdk: DmsModule; client: DmsClient }> | undefined;
  const connect = () => {
    client ??= loadDms().then((sdk) => ({
      sdk,
      client: new sdk.DatabaseMigrationServiceClient({
        region: account.region,
        ...sdkClientSettings(http, account.endpoint),
        ...(credentials.provide === undefined ? {} : { credentials: credentials.provide }),
      }),
    }));
    return client;
  };

  async function call(
    send: (dms: DmsClient, sdk: DmsModule) => Promise<unknown>,
    context: DmsErrorContext = {},
  ): Promise<unknown> {
    const { sdk, client: dms } = await connect();
    // The credentials before the account's turn, not after: the SDK asks for them inside send, once the call has its
    // turn, and assuming the role is a call of the same account (STS, through the same limiter) whose turn comes
    // after every call already waiting. A worker whose first calls are a message's stops would wait for the role
    // behind all of them — each holding a turn it cannot use — and then send them all at once (bench p1adaptive's
    // workers: two minutes at 1/s, then a burst that DMS mostly throttled). Cached: one AssumeRole per role and hour.
    await credentials.provide?.();
    return withProviderRetries(http, async (): Promise<Attempt<unknown>> => {
      try {
        return { ok: true, value: await send(dms, sdk) };
      } catch (thrown) {
        const error = dmsErrorFrom(thrown, context);
        if (error.errorClass === 'auth') credentials.forget();
        // Our own STS call already had its retries; an action that may have been applied is read back, not resent.
        if (thrown === error || error.maybeApplied) throw error;
        // No HTTP status: no answer came (a timeout, a connection that failed), which tells the rate limiter nothing.
        return { ok: false, error, ...(error.status === undefined ? { unanswered: true as const } : {}) };
      }
    });
  }

  return {
    describeReplicationTasks: (input, context) =>
      call((dms, sdk) => dms.send(new sdk.DescribeReplicationTasksCommand(input)), context),
    stopReplicationTask: (input, context) =>
      call((dms, sdk) => dms.send(new sdk.StopReplicationTaskCommand(input)), { action: true, ...context }),
    startReplicationTask: (input, context) =>
      call((dms, sdk) => dms.send(new sdk.StartReplicationTaskCommand(input)), { action: true, ...context }),
  };
}
