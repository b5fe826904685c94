import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../core/errors';
import type { WorkMessage, WorkQueue } from '../core/work';
import type { ProviderKey } from '../providers/types';
import type { ClientSource } from './clients';
import { sendInBatches } from './sqs-batch';

/** One SQS queue per provider, so each provider has its own worker concurrency cap. */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly client: ClientSource<SQSClient>,
    private readonly queueUrls: Partial<Record<ProviderKey, string>>,
  ) {}

  async send(provider: ProviderKey, messages: readonly WorkMessage[]): Promise<void> {
    const url = this.queueUrls[provider];
    if (!url) throw new ConfigError(`no work queue configured for provider ${provider} (MP_WORK_QUEUE_URLS)`);
    await sendInBatches(
      this.client,
      url,
      messages.map((m) => ({ body: JSON.stringify(m), attributes: { provider, commandId: m.command.commandId } })),
    );
  }
}
