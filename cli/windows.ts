import { readFile } from 'node:fs/promises';
import { Cron } from 'croner';
import { load } from 'js-yaml';
import * as z from 'zod/mini';
import { ConfigError } from '../lib/core/errors';
import '../lib/core/zod-messages';
import { table } from './format';

/** The scheduled window of one stage, as serverless.yml `params` gives it. */
export interface WindowParams {
  name: string;
  timezone: string;
  pauseCron: string;
  resumeCron: string;
  enabled: boolean;
}

const stageParamsSchema = z.looseObject({
  windowName: z.optional(z.string().check(z.minLength(1))),
  windowTimezone: z.optional(z.string().check(z.minLength(1))),
  windowPauseCron: z.optional(z.string().check(z.minLength(1))),
  windowResumeCron: z.optional(z.string().check(z.minLength(1))),
  windowEnabled: z.optional(z.union([z.boolean(), z.string()])),
});
const serverlessSchema = z.looseObject({ params: z.optional(z.record(z.string(), z.nullable(stageParamsSchema))) });

/**
 * The window of `stage`: the `default` params with the stage's own params on top, as the Serverless Framework
 * resolves `${param:…}`. Only the window keys are read; no variable is resolved (a window's cron, zone and name
 * are plain values in this project).
 */
export function windowParamsOf(document: unknown, stage?: string, source = 'serverless.yml'): WindowParams {
  const parsed = serverlessSchema.safeParse(document);
  if (!parsed.success) throw new ConfigError(`${source} has no readable params section`);
  const params = parsed.data.params ?? {};
  // A stage without params of its own (most of them) uses the defaults, as the framework does.
  const merged = { ...(params.default ?? {}), ...(stage ? (params[stage] ?? {}) : {}) };
  const missing = (['windowName', 'windowTimezone', 'windowPauseCron', 'windowResumeCron'] as const).filter(
    (key) => merged[key] === undefined,
  );
  if (missing.length > 0) {
    throw new ConfigError(
      `${source} params${stage ? ` (stage ${stage} over default)` : ''} lack ${missing.join(', ')} — add them under params.default`,
    );
  }
  const enabled = merged.windowEnabled;
  return {
    name: String(merged.windowName),
    timezone: String(merged.windowTimezone),
    pauseCron: String(merged.windowPauseCron),
    resumeCron: String(merged.windowResumeCron),
    enabled: enabled === undefined || enabled === true || enabled === 'true',
  };
}

/** Reads the window of `stage` from a serverless.yml file. */
export async function readWindowParams(path: string, stage?: string): Promise<WindowParams> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'}) — run from the project directory or pass --config path/to/serverless.yml`,
    );
  }
  let document: unknown;
  try {
    document = load(text, { filename: path });
  } catch (cause) {
    throw new ConfigError(`${path} is not valid YAML: ${(cause as Error).message.split('\n')[0]}`);
  }
  return windowParamsOf(document, stage, path);
}

/**
 * An EventBridge Scheduler `cron(minutes hours day-of-month month day-of-week year)` as a croner pattern.
 * Croner takes a leading seconds field and an optional year; `?` (Scheduler: "any", required in one of the two day
 * fields) is `*`; day-of-week numbers 1–7 are SUN–SAT in Scheduler, which croner reads so with alternativeWeekdays
 * (see cronOptions); Scheduler's `6L` (last Friday) is croner's `6#L`.
 */
export function awsCronToCroner(expression: string): string {
  const match = /^\s*cron\((.*)\)\s*$/i.exec(expression);
  if (!match) {
    throw new ConfigError(
      `${expression} is not a cron(…) expression — windows takes EventBridge Scheduler cron(minutes hours day-of-month month day-of-week year)`,
    );
  }
  const fields = (match[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ConfigError(`${expression} has ${fields.length} fields; EventBridge Scheduler cron() has exactly 6`);
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields.map((f) =>
    f.replaceAll('?', '*'),
  );
  const weekday = dayOfWeek.replace(/^([0-7A-Za-z]{1,3})L$/, '$1#L');
  return ['0', minutes, hours, dayOfMonth, month, weekday, year].join(' ');
}

/**
 * Scheduler fires when day-of-month AND day-of-week match (one of them is always `?`, i.e. any), unlike classic
 * cron's OR; its day-of-week numbers are Quartz's (1 = Sunday).
 */
const cronOptions = { domAndDow: true, alternativeWeekdays: true, paused: true } as const;

export interface WindowRun {
  action: 'pause' | 'resume';
  at: Date;
}

/** One window: when it pauses and when its resume follows (a window already under way has only the resume ahead). */
export interface WindowSpan {
  pause: Date;
  resume: Date | undefined;
  /** The pause already fired: `now` is inside this window. */
  underWay: boolean;
}

/** The next `count` windows after `now`, the one under way (if any) first. */
export function nextWindows(params: WindowParams, now: Date, count: number): WindowSpan[] {
  assertTimeZone(params.timezone, 'windowTimezone');
  const pause = schedule(params.pauseCron, params.timezone);
  const resume = schedule(params.resumeCron, params.timezone);
  const spans: WindowSpan[] = [];
  const [lastPause] = pause.previousRuns(1, now);
  const [lastResume] = resume.previousRuns(1, now);
  if (lastPause && (!lastResume || lastResume.getTime() < lastPause.getTime())) {
    spans.push({ pause: lastPause, resume: resume.nextRun(now) ?? undefined, underWay: true });
  }
  for (const at of pause.nextRuns(count, now)) {
    if (spans.length >= count) break;
    spans.push({ pause: at, resume: resume.nextRun(at) ?? undefined, underWay: false });
  }
  return spans;
}

function schedule(expression: string, timezone: string): Cron {
  const pattern = awsCronToCroner(expression);
  try {
    return new Cron(pattern, { ...cronOptions, timezone });
  } catch (cause) {
    throw new ConfigError(`${expression} is not a valid schedule: ${(cause as Error).message}`);
  }
}

/** Throws a ConfigError naming `what` unless `zone` is an IANA time zone this Node knows. */
export function assertTimeZone(zone: string, what: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(`${what} ${zone} is not an IANA time zone (e.g. Asia/Seoul, Europe/Berlin, UTC)`);
  }
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

/** The windows as JSON: each time as an instant (UTC) and as shown in the window's zone and the local one. */
export function windowsView(params: WindowParams, spans: readonly WindowSpan[], localZone: string) {
  const at = (d: Date | undefined) =>
    d ? { utc: d.toISOString(), window: formatInZone(d, params.timezone), local: formatInZone(d, localZone) } : null;
  return {
    window: params.name,
    timezone: params.timezone,
    localTimezone: localZone,
    enabled: params.enabled,
    pauseCron: params.pauseCron,
    resumeCron: params.resumeCron,
    windows: spans.map((s) => ({ underWay: s.underWay, pause: at(s.pause), resume: at(s.resume) })),
  };
}

/** The windows as a table: pause and resume in the window's zone, then in the local zone. */
export function formatWindows(params: WindowParams, spans: readonly WindowSpan[], localZone: string): string {
  const head = [
    `window ${params.name}: pause ${params.pauseCron}, resume ${params.resumeCron}, in ${params.timezone}`,
    params.enabled ? '' : 'DISABLED (windowEnabled: false): these schedules do not fire until it is true and deployed',
  ].filter(Boolean);
  const show = (d: Date | undefined, zone: string) => (d ? formatInZone(d, zone) : '(no resume scheduled)');
  const marked = spans.some((s) => s.underWay);
  const rows = spans.map((s) => [
    ...(marked ? [s.underWay ? 'now' : ''] : []),
    show(s.pause, params.timezone),
    show(s.resume, params.timezone),
    show(s.pause, localZone),
    show(s.resume, localZone),
  ]);
  const header = [
    ...(marked ? [''] : []),
    `pause (${params.timezone})`,
    `resume (${params.timezone})`,
    `pause (${localZone})`,
    `resume (${localZone})`,
  ];
  const notes = marked ? ['now: this window has paused and not yet resumed'] : [];
  return [...head, table(header, rows), ...notes].join('\n');
}
