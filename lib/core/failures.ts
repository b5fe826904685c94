import type { ProviderKey } from '../providers/types';
import type { Command } from './command';
import type { ErrorClass, FieldIssue } from './errors';
import type { AccountFailure, Target, TargetOutcome } from './types';

/** One message on the failures queue (DLQ): enough to act on, never a credential. */
export type FailureMessage =
  | {
      kind: 'target-failed';
      commandId: string;
      action: Command['action'];
      /** Why the target failed. */
      reason: string;
      /** Why the command was given, and its options: what a redrive of this target repeats. */
      commandReason: string;
      options: Command['options'];
      /** The command's source and `until`: what a redrive repeats, so it holds (or releases) under the same source. */
      source: string;
      until?: string;
      requestedBy: string;
      /** Who the commands queue says sent the command (SQS SenderId), when it came through the queue. */
      sentBy?: string;
      target: Target;
      errorClass: ErrorClass;
      providerCode?: string;
      attempts: number;
      startedAt: string;
      failedAt: string;
    }
  | {
      kind: 'account-failed';
      commandId: string;
      action: Command['action'];
      reason: string;
      requestedBy: string;
      provider: ProviderKey;
      account: string;
      errorClass: ErrorClass;
      providerCode?: string;
      failedAt: string;
    }
  | {
      /**
       * A work message asked to resume a task that nothing in the ledger lets its command resume (no hold of its
       * source; on force, no hold at all). Nothing was done. A resume the stage planned has that hold, so either
       * someone sent work the stage did not plan, or two resumes of one source ran at once: look at who sent it.
       */
      kind: 'suspicious-work';
      commandId: string;
      action: Command['action'];
      reason: string;
      source: string;
      requestedBy: string;
      sentBy?: string;
      target: Target;
      failedAt: string;
    }
  | { kind: 'invalid-command'; issues: FieldIssue[]; received: string; failedAt: string };

/** The DLQ port: SQS on AWS, a file or memory locally. */
export interface FailureSink {
  send(messages: readonly FailureMessage[]): Promise<void>;
}

/** What every message about one target says: which command asked, who, and for which target, when. */
function aboutTarget(command: Command, outcome: TargetOutcome) {
  return {
    commandId: command.commandId,
    action: command.action,
    source: command.source,
    requestedBy: command.requestedBy,
    ...(command.sentBy ? { sentBy: command.sentBy } : {}),
    target: outcome.target,
    failedAt: outcome.finishedAt,
  };
}

export function targetFailure(command: Command, outcome: TargetOutcome): FailureMessage {
  return {
    kind: 'target-failed',
    ...aboutTarget(command, outcome),
    reason: outcome.reason ?? 'failed',
    commandReason: command.reason,
    options: command.options,
    ...(command.until ? { until: command.until } : {}),
    errorClass: outcome.errorClass ?? 'provider-error',
    providerCode: outcome.providerCode,
    attempts: outcome.attempts,
    startedAt: outcome.startedAt,
  };
}

export function suspiciousWork(command: Command, outcome: TargetOutcome): FailureMessage {
  return { kind: 'suspicious-work', ...aboutTarget(command, outcome), reason: outcome.reason ?? 'not held' };
}

export function accountFailure(command: Command, failure: AccountFailure, at: string): FailureMessage {
  return {
    kind: 'account-failed',
    commandId: command.commandId,
    action: command.action,
    reason: failure.reason,
    requestedBy: command.requestedBy,
    provider: failure.provider,
    account: failure.account,
    errorClass: failure.errorClass,
    providerCode: failure.providerCode,
    failedAt: at,
  };
}
