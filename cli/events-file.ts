import type { RunDeps } from '../lib/core/run';
import { FileEventPublisher } from '../lib/local/events-file';
import type { CliIo } from './io';

/**
 * `--events-file FILE`: a local run appends the events a stage would put on its bus (docs/events.md), one JSON object
 * per line. A file that cannot be written is a warning: the run's outcomes are in the ledger all the same.
 */
export function eventsFileDeps(path: string | undefined, io: CliIo): Pick<RunDeps, 'events'> {
  if (path === undefined) return {};
  return {
    events: {
      publisher: new FileEventPublisher(path),
      onFailure: (error) =>
        io.err(
          `warning: events not written to ${path} (${error instanceof Error ? error.message : String(error)}); the outcomes are recorded`,
        ),
    },
  };
}
