import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type InvertedDay, invertedDays, nextSpans, type WindowSpan } from '../lib/windows/fires';
import { loadWindowsFile, NoWindowsFileError, WindowsFileError, windowsFilePath } from '../lib/windows/load';
import type { WindowDefinition } from '../lib/windows/schema';
import { isIanaTimeZone } from '../lib/windows/time-zone';
import { table } from './format';
import type { CliIo } from './io';

/** The flags `windows` reads. */
export interface WindowsArgs {
  stage?: string;
  /** A windows file to read instead of config/windows.<stage>.yaml. */
  config?: string;
  count?: string;
  tz?: string;
  now?: string;
  json?: boolean;
}

/** The stage the CLI means when none is given: serverless.yml's default stage. */
export const DEFAULT_STAGE = 'local';
const BAD_INPUT = 2;

/**
 * `migration-pauser windows`: the next fires of every window of a stage's windows file, in the window's zone and
 * the local one. A stage without a file, or a file that does not validate, is bad input (exit 2): nothing falls back
 * to another stage's windows.
 */
export async function windowsCommand(args: WindowsArgs, io: CliIo): Promise<number> {
  const count = args.count === undefined ? 5 : Number(args.count);
  if (!Number.isInteger(count) || count < 1 || count > 100) {
    io.err(`--count ${args.count} is not a whole number from 1 to 100`);
    return BAD_INPUT;
  }
  const now = args.now === undefined ? new Date() : new Date(args.now);
  if (Number.isNaN(now.getTime())) {
    io.err(`--now ${args.now} is not a time (use ISO 8601, e.g. 2026-03-06T12:00:00Z)`);
    return BAD_INPUT;
  }
  const localZone = args.tz ?? (io.env.TZ || undefined) ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!isIanaTimeZone(localZone)) {
    io.err(`${args.tz ? '--tz' : 'TZ'} ${localZone} is not an IANA time zone (e.g. Asia/Seoul, Europe/Berlin, UTC)`);
    return BAD_INPUT;
  }
  const stage = args.stage ?? DEFAULT_STAGE;
  const path = args.config ?? windowsFilePath(stage);
  let windows: WindowDefinition[];
  try {
    windows = (await loadWindowsFile(path)).windows;
  } catch (error) {
    if (error instanceof NoWindowsFileError) {
      io.err(await noFileMessage(path, args.config === undefined ? stage : undefined));
      return BAD_INPUT;
    }
    if (error instanceof WindowsFileError) {
      io.err(error.message);
      return BAD_INPUT;
    }
    throw error;
  }
  const views = windows.map((w) => ({ window: w, spans: nextSpans(w, now, count), inverted: invertedDays(w, now) }));
  if (args.json) {
    io.out(
      JSON.stringify(
        { stage, file: path, localTimezone: localZone, windows: views.map((v) => windowView(v, localZone)) },
        null,
        2,
      ),
    );
  } else {
    io.out(views.map((v) => formatWindow(v.window, v.spans, localZone)).join('\n\n') || `${path} has no windows`);
  }
  for (const { window, inverted } of views) for (const warning of dstWarnings(window, inverted)) io.err(warning);
  return 0;
}

async function noFileMessage(path: string, stage: string | undefined): Promise<string> {
  if (stage === undefined) return `no windows file ${path}`;
  const stages = await readdir(dirname(path)).then(
    (names) => names.flatMap((n) => /^windows\.(.+)\.yaml$/.exec(n)?.[1] ?? []).sort(),
    () => [],
  );
  const known = stages.length ? ` (stages with windows: ${stages.join(', ')})` : '';
  return `stage ${stage} has no windows file ${path}${known} — check --stage, or create the file (docs/windows.md)`;
}

/** `Mon 2026-03-09 09:00 UTC+09:00`: the wall-clock time in `zone` and the offset it had then. */
export function formatInZone(at: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT$/, 'GMT+00:00').replace(/^GMT/, 'UTC');
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${offset}`;
}

function describeSchedule(w: WindowDefinition): string {
  return w.once ? `once: pause ${w.once.pause}, resume ${w.once.resume}` : `pause ${w.pause}, resume ${w.resume}`;
}

/** One window: its schedule, then its next spans as a table in the window's zone and the local one. */
export function formatWindow(w: WindowDefinition, spans: readonly WindowSpan[], localZone: string): string {
  const head = [
    `window ${w.name}: ${describeSchedule(w)}, in ${w.timezone}`,
    w.enabled ? '' : 'DISABLED (enabled: false): these schedules do not fire until it is true and deployed',
  ].filter(Boolean);
  if (spans.length === 0) return [...head, '(no fire ahead)'].join('\n');
  const show = (d: Date | undefined, zone: string) => (d ? formatInZone(d, zone) : '(no resume scheduled)');
  const marked = spans.some((s) => s.underWay);
  const skips = spans.some((s) => s.skipped);
  const rows = spans.map((s) => [
    ...(marked ? [s.underWay ? 'now' : ''] : []),
    show(s.pause, w.timezone),
    show(s.resume, w.timezone),
    show(s.pause, localZone),
    show(s.resume, localZone),
    ...(skips ? [s.skipped ? `pause skipped: ${s.skipped}` : ''] : []),
  ]);
  const header = [
    ...(marked ? [''] : []),
    `pause (${w.timezone})`,
    `resume (${w.timezone})`,
    `pause (${localZone})`,
    `resume (${localZone})`,
    ...(skips ? ['note'] : []),
  ];
  const notes = [
    ...(marked ? ['now: this window has paused and not yet resumed'] : []),
    ...(skips ? ['pause skipped: a blackout date (except); the resume still runs and releases only this window’s holds'] : []),
  ];
  return [...head, table(header, rows), ...notes].join('\n');
}

function windowView(v: { window: WindowDefinition; spans: WindowSpan[]; inverted: InvertedDay[] }, localZone: string) {
  const { window: w } = v;
  const at = (d: Date | undefined) =>
    d ? { utc: d.toISOString(), window: formatInZone(d, w.timezone), local: formatInZone(d, localZone) } : null;
  return {
    name: w.name,
    timezone: w.timezone,
    enabled: w.enabled,
    ...(w.once ? { once: w.once } : { pause: w.pause, resume: w.resume }),
    scope: w.scope,
    reason: w.reason,
    except: w.except,
    fires: v.spans.map((s) => ({
      underWay: s.underWay,
      pause: at(s.pause),
      resume: at(s.resume),
      ...(s.skipped ? { pauseSkipped: s.skipped } : {}),
    })),
    resumeBeforePause: v.inverted.map((d) => ({ date: d.date, pause: at(d.pause), resume: at(d.resume) })),
  };
}

function dstWarnings(w: WindowDefinition, inverted: readonly InvertedDay[]): string[] {
  return inverted.map(
    (d) =>
      `warning: window ${w.name}: on ${d.date} the resume (${formatInZone(d.resume, w.timezone)}) fires before the pause (${formatInZone(d.pause, w.timezone)}) — the clocks change that day; what that pause holds stays paused until the next resume`,
  );
}
