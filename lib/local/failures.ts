import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FailureMessage, FailureSink } from '../core/failures';

/** Keeps failures in memory (tests, and the demo's report). */
export class MemoryFailureSink implements FailureSink {
  readonly messages: FailureMessage[] = [];
  async send(messages: readonly FailureMessage[]): Promise<void> {
    this.messages.push(...messages);
  }
}

/** The embedded DLQ: one JSON line per failure, appended to a file a human can read. */
export class FileFailureSink implements FailureSink {
  constructor(readonly path: string) {}
  async send(messages: readonly FailureMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, messages.map((m) => `${JSON.stringify(m)}\n`).join(''), 'utf8');
  }
}
