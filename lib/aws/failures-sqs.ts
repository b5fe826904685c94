import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FailureMessage, FailureSink } from '../core/failures';
import type { ClientSource } from './clients';
import { MAX_BATCH_BYTES, type OutgoingMessage, sendInBatches, sizeOf } from './sqs-batch';

/** The failures queue humans watch: one message per failed target, sent in batches of ten. */
export class SqsFailureSink implements FailureSink {
  constructor(
    /** Made on the first send: a run with no failure never loads the SQS SDK. */
    private readonly client: ClientSource<SQSClient>,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly FailureMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await sendInBatches(this.client, this.queueUrl, messages.map(toOutgoing));
  }
}

export function toOutgoing(message: FailureMessage): OutgoingMessage {
  const attributes = {
    kind: message.kind,
    commandId: 'commandId' in message ? message.commandId : undefined,
    provider:
      message.kind === 'target-failed' || message.kind === 'suspicious-work'
        ? message.target.provider
        : message.kind === 'account-failed'
          ? message.provider
          : undefined,
    errorClass: 'errorClass' in message ? message.errorClass : undefined,
  };
  const outgoing = { body: JSON.stringify(message), attributes };
  return sizeOf(outgoing) <= MAX_BATCH_BYTES ? outgoing : { body: JSON.stringify(shrink(message)), attributes };
}

/** A message too large for SQS keeps its identity and loses the bulk of its free text, and says so. */
function shrink(message: FailureMessage): FailureMessage {
  if (message.kind === 'invalid-command') {
    return { ...message, received: `${message.received.slice(0, 2048)}… (truncated)`, issues: message.issues.slice(0, 50) };
  }
  return { ...message, reason: `${message.reason.slice(0, 4096)}… (truncated)` };
}
