import { Cron } from 'croner';
import { ConfigError } from '../core/errors';
import { blackoutOn, describeBlackout } from './blackout';
import { CRONER_OPTIONS, parseEventBridgeCron, toCronerPattern } from './cron';
import type { WindowDefinition } from './schema';
import { formatterOf, instantOf, localDateOf } from './time-zone';

/** One pause of a window and the resume that follows it. */
export interface WindowSpan {
  pause: Date;
  resume: Date | undefined;
  /** The pause already fired and the resume has not: `now` is inside this span. */
  underWay: boolean;
  /** The pause falls on a blackout date: it will not fire (the resume still does). */
  skipped?: string;
}

/** The window's next `count` spans after `now`, the one under way (if any) first; a one-off window has one at most. */
export function nextSpans(window: WindowDefinition, now: Date, count: number): WindowSpan[] {
  const spans = window.once ? onceSpans(window, now) : cronSpans(window, now, count);
  return spans.slice(0, count).map((span) => {
    const hit = span.underWay ? undefined : blackoutOn(span.pause, window.timezone, window.except);
    return hit ? { ...span, skipped: `blackout ${describeBlackout(hit.entry)}` } : span;
  });
}

function onceSpans(window: WindowDefinition, now: Date): WindowSpan[] {
  if (!window.once) return [];
  const pause = instantOf(window.once.pause, window.timezone);
  const resume = instantOf(window.once.resume, window.timezone);
  if (resume.getTime() <= now.getTime()) return [];
  return [{ pause, resume, underWay: pause.getTime() <= now.getTime() }];
}

function cronSpans(window: WindowDefinition, now: Date, count: number): WindowSpan[] {
  const pause = scheduleOf(window, 'pause');
  const resume = scheduleOf(window, 'resume');
  const spans: WindowSpan[] = [];
  const [lastPause] = pause.previousRuns(1, now);
  const [lastResume] = resume.previousRuns(1, now);
  if (lastPause && (!lastResume || lastResume.getTime() < lastPause.getTime())) {
    spans.push({ pause: lastPause, resume: resume.nextRun(now) ?? undefined, underWay: true });
  }
  for (const at of pause.nextRuns(count, now)) {
    spans.push({ pause: at, resume: resume.nextRun(at) ?? undefined, underWay: false });
  }
  return spans;
}

/** A croner schedule of the window's pause or resume cron (already validated by the windows file's schema). */
export function scheduleOf(window: WindowDefinition, action: 'pause' | 'resume'): Cron {
  const expression = window[action] ?? '';
  const parsed = parseEventBridgeCron(expression);
  if (!parsed.ok) throw new ConfigError(`window "${window.name}": ${action}: ${expression} — ${parsed.message}`);
  return new Cron(toCronerPattern(parsed.fields), { ...CRONER_OPTIONS, timezone: window.timezone });
}

/** A local date on which the resume fires before the pause, unlike on the window's other days. */
export interface InvertedDay {
  date: string;
  pause: Date;
  resume: Date;
}

/** How far ahead the DST check looks: a year covers both changes of every zone. */
const HORIZON_DAYS = 370;
/** Ordinary days looked at to tell an overnight window (resume first every day) from a day-time one. */
const REFERENCE_DAYS = 14;

/**
 * Days in the next year on which the resume fires before the pause in the window's zone, although on ordinary days it
 * fires after it — what a change of clocks does to, say, a pause at 02:30 (a time skipped in spring, so it fires
 * at 03:30) and a resume at 03:00. On such a day the tasks the pause holds stay paused until the next resume. Only the
 * days around a change of the zone's offset are examined, and a fortnight of ordinary days for comparison.
 */
export function invertedDays(window: WindowDefinition, now: Date): InvertedDay[] {
  if (window.once) return [];
  const pause = scheduleOf(window, 'pause');
  const resume = scheduleOf(window, 'resume');
  const day = (date: string) => {
    const p = firstOnDate(pause, date, window.timezone);
    const r = firstOnDate(resume, date, window.timezone);
    return p && r ? { date, pause: p, resume: r, inverted: r.getTime() < p.getTime() } : undefined;
  };
  const ordinary = datesAhead(now, window.timezone, REFERENCE_DAYS).flatMap((d) => day(d) ?? []);
  // An overnight window (pause 22:00, resume 06:00) has its resume first every day; a window with no day holding both
  // fires within a fortnight tells nothing either.
  if (ordinary.length === 0 || ordinary.filter((d) => d.inverted).length * 2 >= ordinary.length) return [];
  return offsetChangeDates(now, window.timezone)
    .flatMap((d) => day(d) ?? [])
    .filter((d) => d.inverted)
    .map(({ date, pause: p, resume: r }) => ({ date, pause: p, resume: r }));
}

/** The first fire of `cron` on the local `date` in `zone`, if it fires that day. */
function firstOnDate(cron: Cron, date: string, zone: string): Date | undefined {
  const at = cron.nextRun(new Date(instantOf(`${date}T00:00`, zone).getTime() - 1000));
  return at && localDateOf(at, zone) === date ? at : undefined;
}

/** The next `count` local dates in `zone`, from today. */
function datesAhead(now: Date, zone: string, count: number): string[] {
  const dates = new Set<string>();
  for (let i = 0; dates.size < count; i++) dates.add(localDateOf(new Date(now.getTime() + i * 43_200_000), zone));
  return [...dates];
}

/** The local dates, within the horizon, on which `zone`'s UTC offset changes (and the days either side). */
function offsetChangeDates(now: Date, zone: string): string[] {
  const dates = new Set<string>();
  let previous = offsetName(now, zone);
  for (let hours = 6; hours <= HORIZON_DAYS * 24; hours += 6) {
    const at = new Date(now.getTime() + hours * 3_600_000);
    const offset = offsetName(at, zone);
    if (offset !== previous) {
      for (const shift of [-1, 0, 1]) dates.add(localDateOf(new Date(at.getTime() + shift * 86_400_000), zone));
      previous = offset;
    }
  }
  return [...dates].sort();
}

function offsetName(at: Date, zone: string): string {
  return (
    formatterOf(zone, { timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? ''
  );
}
