import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EVENT_SOURCE, type EventPublisher, type PauserEvent } from '../core/events';

/**
 * The events a stage would put on its bus, one JSON object per line in a file (the CLI's --events-file): the same
 * `source`, `detail-type` and `detail` an EventBridge rule would match, plus the time written.
 */
export class FileEventPublisher implements EventPublisher {
  constructor(
    private readonly path: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(events: readonly PauserEvent[]): Promise<void> {
    if (events.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const time = this.now().toISOString();
    const lines = events.map((e) =>
      JSON.stringify({ source: EVENT_SOURCE, 'detail-type': e.detailType, time, detail: e.detail }),
    );
    await appendFile(this.path, `${lines.join('\n')}\n`);
  }
}
