import type { ProviderKey } from '../lib/providers/types';

/** One provider account the simulator knows: its keys sign requests, its tasks are only visible to it. */
export interface SimAccount {
  name: string;
  provider: ProviderKey;
  region: string;
  accessKey: string;
  secretKey: string;
  /** Huawei: the project id every path carries. */
  projectId?: string;
  /**
   * The account's true limit, which the client cannot see: a token bucket per account (default 1000/s, burst 1000),
   * held across every process that calls this simulator. With `drop`, the limit changes once the bucket has admitted
   * `afterRequests` requests (a provider tightening its limit halfway through a run).
   */
  rateLimit?: SimRateLimit;
  /** OMS accounts: the task source/destination keys that start requires. */
  oms?: { dst_ak: string; dst_sk: string; src_ak?: string; src_sk?: string };
  /** This account's asynchronous state change delay (a slow region), instead of the scenario's. */
  transitionMs?: number;
  /** AWS DMS: the role its keys may assume with STS (and, when set, the only identity DMS serves for it). */
  roleArn?: string;
  /** AWS DMS: the ExternalId the role's trust policy demands. */
  externalId?: string;
}

export interface SimRateLimit {
  perSecond: number;
  burst: number;
  drop?: { afterRequests: number; perSecond: number; burst: number };
}

export interface SimTask {
  provider: ProviderKey;
  /** SimAccount.name */
  account: string;
  id: string;
  name: string;
  /** Wire state: NCP jobState; OMS status as a decimal string e.g. "2"; DRS status; DCS status. */
  state: string;
  /** DRS, default migration. */
  dbUseType?: 'migration' | 'sync' | 'cloudDataGuard';
  /** DCS, default online_migration. */
  migrationType?: 'backupfile_import' | 'online_migration';
  /** DRS/DCS: any batch call that contains this task is rejected WHOLE with the provider's 400 body. */
  rejectsBatch?: boolean;
  /** AWS DMS: a stopped task's StopReason (default `Stop Reason NORMAL`). */
  stopReason?: string;
  /** The next pause/resume of this task fails per task with this provider code. */
  failsAction?: { code: string; message: string };
}

export interface FaultRule {
  provider?: ProviderKey;
  account?: string;
  method?: string;
  pathIncludes?: string;
  /** AWS JSON APIs (DMS), which name the operation in `X-Amz-Target` and post everything to `/`: that operation. */
  operation?: string;
  /**
   * 'timeout' holds the request unanswered, 'reset' drops the connection before anything is done; 'drop-after-apply'
   * does the request's work (an action is applied to the task store) and then drops the connection without a reply:
   * the response is lost, the change is not.
   */
  kind: 'http' | 'timeout' | 'reset' | 'drop-after-apply';
  /** For 'http': 429 → the provider's own throttle body, 5xx → its 5xx body. */
  status?: number;
  /** Apply to the next N matching requests (default unlimited). */
  times?: number;
  /** 0..1, default 1. */
  probability?: number;
}

export interface Scenario {
  accounts: SimAccount[];
  tasks: SimTask[];
  /** Asynchronous state change delay, default 100. */
  transitionMs?: number;
  /** Added to every response, default 0. */
  latencyMs?: number;
  faults?: FaultRule[];
  seed?: number;
  /**
   * An echoing provider, the adversary of the secret-hygiene tests (see sim/echo.ts). Every provider's replies
   * quote the calling account's access key and secret key (OMS accounts: the task keys `oms.dst_ak/dst_sk/src_ak/
   * src_sk` too) in every free-text field of its success and partial-failure answers, and in every error body:
   * - NCP: the `error.message` of error bodies; `sourcePrefix`/`targetPrefix` of policies (the only free text a
   *   policy has: its title is its id);
   * - OMS: task `name` and `error_reason.error_msg` in list and get, `error_msg` of error bodies;
   * - DRS: job `name` and `description` in list; the per-job `error_message` of batch-status and `error_msg` of
   *   batch-pause/retry results (jobs refused inside a 200); `error_msg` of error bodies;
   * - DCS: `task_name`, `description` and `target_instance.name` in list, get and stop answers, where the quote adds
   *   the task's own Redis passwords (the body carries them already); the per-task `error_msg` of batch-stop/restart
   *   results; `error_msg` of error bodies.
   * States, ids, statuses and the codes adapters classify by are never touched, so every answer still parses and
   * means what it meant. `{ codes: true }` appends the quote to the per-job `error_code` of 2xx batch results too
   * (DRS, DCS), which changes what a code matched exactly means (DRS.10000010 is then no longer "not found").
   * A reply made before the caller is authenticated (auth failures, injected faults, unknown routes) quotes only
   * the access key the request presented. Default false.
   */
  echoSecrets?: boolean | { codes: boolean };
}

export interface RecordedRequest {
  provider: ProviderKey | 'unknown';
  account?: string;
  method: string;
  /** Raw path + query exactly as received. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** 0 while unanswered, and for requests that were never answered (timeout, reset). */
  status: number;
  at: number;
  /** The injected fault this request met, if any. */
  fault?: FaultRule['kind'];
  /**
   * The account's rate limit refused it, with the provider's own throttling reply (a 429; DMS and STS answer 400
   * ThrottlingException / Throttling): count throttles by this, not by status.
   */
  throttled?: true;
  /** The path had a segment that escapes its template: `..`, an encoded `/`, control characters. */
  escapesTemplate: boolean;
}

export interface AccountsFileOptions {
  confirm?: { intervalMs: number; deadlineMs: number };
  rateLimit?: { perSecond: number; burst: number };
}

export interface Simulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Every request served, in order. */
  requests: RecordedRequest[];
  /** Every pause/stop/resume/restart the provider accepted, in order (retries that never arrived are not here). */
  applied: AppliedAction[];
  inject(rule: FaultRule): void;
  clearFaults(): void;
  /** Current state (after lazy transitions). */
  task(provider: ProviderKey, id: string): SimTask | undefined;
  /** E.g. a person pausing a task by hand; cancels any transition in flight. */
  setTaskState(provider: ProviderKey, id: string, state: string): void;
  /** An accounts file (JSON object) pointing at this simulator. */
  accountsFile(options?: AccountsFileOptions): { accounts: Array<Record<string, unknown>> };
  /** env var name → secret JSON string for each account. */
  secretEnv(): Record<string, string>;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  scenario: Scenario;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

/** One pause, stop, resume or restart the simulated provider accepted and began to carry out. */
export interface AppliedAction {
  provider: ProviderKey;
  taskId: string;
  /** The state the action moves the task to, e.g. PAUSED, STARTED, TERMINATED. */
  toward: string;
  at: number;
}

/** Which wire states a generated fleet is drawn from, by how the pipeline sees them. */
export interface FleetStates {
  running: string[];
  paused: string[];
  finished: string[];
  failed: string[];
  waiting: string[];
}

/** How the scenario generator makes a provider's accounts and tasks: each simulated provider declares its own. */
export interface SimFleet {
  states: FleetStates;
  /** Account names (`dms-01`) and fake keys (`FAKE-DMS-AK-01`) start with it. */
  short: string;
  /** What a refusing task answers: a busy or invalid-state code of the provider. */
  refusalCode: string;
  /** What a generated account carries beyond its keys (`n`: its number, zero-padded). */
  accountExtras(n: string): Partial<SimAccount> & { region: string };
  /** The `index`-th task (`n`: its number, zero-padded) of `account`; `random` is the scenario's own generator. */
  task(account: string, state: string, index: number, n: string, random: () => number): SimTask;
}
