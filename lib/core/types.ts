import type { AccountConfig } from '../config';
import type { ProviderAdapter, ProviderKey, ProviderTask, TaskPhase } from '../providers/types';
import type { Action, ActionOptions, Command } from './command';
import type { ErrorClass, Unreachable } from './errors';

/** `provider/account/taskId`: the one key a target is known by in the ledger, the DLQ and the summary. */
export type TargetKey = string;

export function targetKey(t: { provider: string; account: string; taskId: string }): TargetKey {
  return `${t.provider}/${t.account}/${t.taskId}`;
}

/** One task a command acts on (or decided not to act on), as it was when planned. */
export interface Target {
  provider: ProviderKey;
  account: string;
  taskId: string;
  name: string;
  stateBefore: string;
  phaseBefore: TaskPhase;
  /** Set when a pause of this task could never be undone (the provider cannot restart it): why. */
  resumeUnsupportedReason?: string;
}

export const OUTCOMES = ['paused', 'resumed', 'already-paused', 'already-running', 'skipped', 'unsupported', 'failed'] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

export interface TargetOutcome {
  target: Target;
  outcome: OutcomeKind;
  /** Why, in words an operator understands (always set for skipped, unsupported and failed). */
  reason?: string;
  errorClass?: ErrorClass;
  providerCode?: string;
  attempts: number;
  stateAfter?: string;
  /**
   * The provider did not carry the action out, for certain: it answered without acting (throttled, credentials
   * refused, another 4xx), the request was never sent, the task was read back unmoved after a refusal or a server
   * error, or an action whose answer was lost was read back unchanged for the whole confirmation deadline. A pause's
   * pending hold then goes, so a later pause by someone else is not taken for ours.
   */
  notApplied?: true;
  startedAt: string;
  finishedAt: string;
}

/** What the plan decided for one target before any provider call. */
export type Decision =
  | { kind: 'act'; task: ProviderTask }
  /**
   * Pause of a task already paused under a hold of ours: this command's source adds its hold, under the target's
   * lease, after reading the task again (a resume may have run it meanwhile: then it is paused again).
   */
  | { kind: 'hold'; task: ProviderTask; reason: string }
  | {
      kind: 'settled';
      outcome: Exclude<OutcomeKind, 'paused' | 'resumed'>;
      reason: string;
      errorClass?: ErrorClass;
      providerCode?: string;
      /** Resume: which holds end with this decision (`own`: the command's source's only). */
      release?: 'own' | 'all';
    };

export interface PlannedTarget {
  target: Target;
  decision: Decision;
}

/** An account whose tasks could not even be listed: no targets are known, so it is reported on its own. */
export interface AccountFailure {
  provider: ProviderKey;
  account: string;
  errorClass: ErrorClass;
  providerCode?: string;
  reason: string;
  /** The provider could not be reached at all: where, and the socket's code. */
  unreachable?: Unreachable;
}

export interface Plan {
  command: Command;
  targets: PlannedTarget[];
  accountFailures: AccountFailure[];
}

/** An outcome, or `planned` (a dry run would act) or `dispatched` (sent to a work queue; its worker records the outcome). */
export type CountKind = OutcomeKind | 'planned' | 'dispatched';

export interface Summary {
  commandId: string;
  action: Action;
  dryRun: boolean;
  targets: number;
  /** Counts per provider, per outcome (for a dry run: what the plan expects). */
  byProvider: Partial<Record<ProviderKey, Partial<Record<CountKind, number>>>>;
  totals: Partial<Record<CountKind, number>>;
  accountFailures: AccountFailure[];
  startedAt: string;
  finishedAt: string;
  seconds: number;
}

export interface RunResult {
  summary: Summary;
  outcomes: TargetOutcome[];
  plan: Plan;
}

/** Everything an account needs at run time: its config, adapter and option-derived settings. */
export interface AccountRuntime {
  config: AccountConfig;
  adapter: ProviderAdapter;
}

export type { Action, ActionOptions };
