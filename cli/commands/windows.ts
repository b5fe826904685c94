import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import type { FlagTable } from '../flags';

const USAGE = 'usage: migration-pauser windows [--count N] [--stage S] [--tz ZONE] [--config FILE] [--json]';

const FLAGS = {
  count: { type: 'string' },
  stage: { type: 'string' },
  tz: { type: 'string' },
  now: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies FlagTable;

const usageError = (message: string) => new UsageError(message, { name: 'windows', usage: USAGE });

export default defineCommand({
  name: 'windows',
  usage: USAGE,
  flags: FLAGS,
  help: `The next scheduled pause/resume windows from serverless.yml (params windowName, windowTimezone, windowPauseCron,
windowResumeCron, windowEnabled; --stage applies that stage's params over the defaults), each shown in the
window's time zone and in the local one, with the UTC offset in force at that moment (a daylight-saving change
shows as a changed offset). Reads the file only: nothing is deployed or called.

options:
  --count N             how many windows (default 5)
  --stage S             the stage whose params apply (default: params.default)
  --tz ZONE             the local time zone to show (default $TZ, else this machine's)
  --now TIME            list the windows after this ISO time instead of now
  --config FILE         the serverless configuration (default ./serverless.yml)
  --json                print JSON instead of a table

example:
  migration-pauser windows --count 3 --tz Europe/Berlin

exit codes: 0 shown, 2 bad input, 3 serverless.yml unreadable or without a window`,
  async run({ values, io }) {
    const { assertTimeZone, formatWindows, nextWindows, readWindowParams, windowsView } = await import('../windows');
    const count = values.count === undefined ? 5 : Number(values.count);
    if (!Number.isInteger(count) || count < 1 || count > 100) {
      throw usageError(`--count ${values.count} is not a whole number from 1 to 100`);
    }
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) {
      throw usageError(`--now ${values.now} is not a time (use ISO 8601, e.g. 2026-03-06T12:00:00Z)`);
    }
    const localZone = values.tz ?? (io.env.TZ || undefined) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    try {
      assertTimeZone(localZone, values.tz ? '--tz' : 'TZ');
    } catch (error) {
      io.err(error instanceof Error ? error.message : String(error));
      return EXIT.badInput;
    }
    const params = await readWindowParams(values.config ?? 'serverless.yml', values.stage);
    const spans = nextWindows(params, now, count);
    if (values.json) io.out(JSON.stringify(windowsView(params, spans, localZone), null, 2));
    else io.out(formatWindows(params, spans, localZone));
    return EXIT.ok;
  },
});
