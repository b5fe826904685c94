import { Cron } from 'croner';
import { ConfigError } from '../core/errors';
import { blackoutOn, describeBlackout } from './blackout';
import { CRONER_OPTIONS, parseEventBridgeCron, toCronerPattern } from './cron';
import type { WindowDefinition } from './schema';
import { instantOf, localDateOf } from './time-zone';

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
const MAX_FIRES = 2000;

/**
 * Days in the next year on which the resume fires before the pause in the window's zone, although on most days it
 * fires after it — what a change of clocks does to, say, a pause at 02:30 (a time skipped in spring, so it fires
 * at 03:30) and a resume at 03:00. On such a day the tasks the pause holds stay paused until the next resume.
 */
export function invertedDays(window: WindowDefinition, now: Date): InvertedDay[] {
  if (window.once) return [];
  const until = now.getTime() + HORIZON_DAYS * 86_400_000;
  const firstByDate = (cron: Cron) => {
    const byDate = new Map<string, Date>();
    // One fire at a time: nextRuns(n) would compute all n, years past the horizon for a weekday cron.
    let at = cron.nextRun(now);
    for (let fires = 0; at && at.getTime() <= until && fires < MAX_FIRES; fires++) {
      const date = localDateOf(at, window.timezone);
      if (!byDate.has(date)) byDate.set(date, at);
      at = cron.nextRun(at);
    }
    return byDate;
  };
  const pauses = firstByDate(scheduleOf(window, 'pause'));
  const resumes = firstByDate(scheduleOf(window, 'resume'));
  const days: { date: string; pause: Date; resume: Date; inverted: boolean }[] = [];
  for (const [date, pause] of pauses) {
    const resume = resumes.get(date);
    if (resume) days.push({ date, pause, resume, inverted: resume.getTime() < pause.getTime() });
  }
  const inverted = days.filter((d) => d.inverted);
  // An overnight window (pause 22:00, resume 06:00) has its resume first every day: only the exceptions count.
  if (inverted.length === 0 || inverted.length * 2 >= days.length) return [];
  return inverted.map(({ date, pause, resume }) => ({ date, pause, resume }));
}
