/**
 * EventBridge Scheduler's `cron(minutes hours day-of-month month day-of-week year)`, checked field by field before
 * anything is packaged: EventBridge rejects a bad expression only at deploy time, after the stack update started.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
 *
 * Accepted per field: `*`, numbers and names, ranges `a-b`, lists `a,b`, steps `*​/n`, `a/n`, `a-b/n`; day-of-month
 * also `?`, `L`, `LW`, `nW`; day-of-week also `?`, `L`, `nL` (last n-day of the month), `n#k` (k-th n-day).
 * Exactly one of day-of-month and day-of-week is `?`.
 */

export type CronFieldName = 'minutes' | 'hours' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

export interface CronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

export type CronParse = { ok: true; fields: CronFields } | { ok: false; message: string };

interface FieldRule {
  name: CronFieldName;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
// EventBridge numbers the days of the week as Quartz does: 1 is Sunday.
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const RULES: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  { name: 'year', min: 1970, max: 2199 },
];

/** Parses `cron(…)`; never throws: a bad expression comes back as a message saying which field and why. */
export function parseEventBridgeCron(expression: string): CronParse {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  if (!match) return fail('not a cron(…) expression: write cron(minutes hours day-of-month month day-of-week year)');
  const parts = (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length !== 6) {
    return fail(
      `has ${parts.length} field${parts.length === 1 ? '' : 's'}; EventBridge cron has exactly 6 (minutes hours day-of-month month day-of-week year)`,
    );
  }
  for (const [index, rule] of RULES.entries()) {
    const problem = checkField(parts[index] ?? '', rule);
    if (problem) return fail(`${rule.name} "${parts[index]}": ${problem}`);
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = parts;
  if (dayOfMonth !== '?' && dayOfWeek !== '?') return fail('day-of-month and day-of-week cannot both be set; use ? in one');
  if (dayOfMonth === '?' && dayOfWeek === '?') return fail('day-of-month and day-of-week cannot both be ?; set one of them');
  return { ok: true, fields: { minutes, hours, dayOfMonth, month, dayOfWeek, year } };
}

function fail(message: string): CronParse {
  return { ok: false, message };
}

/** Why one field is invalid, or undefined when it is valid. */
function checkField(text: string, rule: FieldRule): string | undefined {
  if (text === '?') {
    return rule.name === 'day-of-month' || rule.name === 'day-of-week'
      ? undefined
      : '? is only allowed in day-of-month or day-of-week';
  }
  if (rule.name === 'day-of-month') {
    if (text === 'L' || text === 'LW') return undefined;
    const weekday = /^(\d+)W$/.exec(text);
    if (weekday) return inRange(weekday[1] ?? '', rule);
  }
  if (rule.name === 'day-of-week') {
    if (text === 'L') return undefined;
    const last = /^([A-Za-z]+|\d+)L$/.exec(text);
    if (last) return valueProblem(last[1] ?? '', rule);
    const nth = /^([A-Za-z]+|\d+)#(\d+)$/.exec(text);
    if (nth) {
      const k = Number(nth[2]);
      if (!(k >= 1 && k <= 5)) return `#${nth[2]}: the week of the month is 1 to 5`;
      return valueProblem(nth[1] ?? '', rule);
    }
  }
  if (/[LW#]/.test(text.replace(/[A-Za-z]{3}/g, ''))) {
    return rule.name === 'day-of-month' || rule.name === 'day-of-week'
      ? 'L, W and # stand alone in this field (e.g. L, 15W, 6L, 3#2), never in a list, range or step'
      : 'L, W and # are only allowed in day-of-month or day-of-week';
  }
  for (const item of text.split(',')) {
    const problem = checkItem(item, rule);
    if (problem) return problem;
  }
  return undefined;
}

function checkItem(item: string, rule: FieldRule): string | undefined {
  if (item === '') return 'an empty item in a list';
  const [range = '', step, ...extra] = item.split('/');
  if (extra.length > 0) return `${item}: one / at most`;
  if (step !== undefined) {
    if (!/^\d+$/.test(step)) return `${item}: the step after / is a whole number`;
    const n = Number(step);
    if (n < 1 || n > rule.max - rule.min + 1) return `${item}: the step must be from 1 to ${rule.max - rule.min + 1}`;
  }
  if (range === '*') return undefined;
  const bounds = range.split('-');
  if (bounds.length > 2) return `${item}: a range is start-end`;
  const [start = '', end] = bounds;
  const startProblem = valueProblem(start, rule);
  if (startProblem) return startProblem;
  if (end === undefined) return undefined;
  const endProblem = valueProblem(end, rule);
  if (endProblem) return endProblem;
  if (numberOf(start, rule) > numberOf(end, rule)) return `${item}: the range starts after it ends`;
  return undefined;
}

function valueProblem(text: string, rule: FieldRule): string | undefined {
  if (/^\d+$/.test(text)) return inRange(text, rule);
  if (rule.names) {
    if (rule.names.includes(text.toUpperCase())) return undefined;
    return `${text === '' ? 'an empty value' : `"${text}"`} is not a number from ${rule.min} to ${rule.max} or one of ${rule.names[0]}–${rule.names.at(-1)}`;
  }
  return `${text === '' ? 'an empty value' : `"${text}"`} is not a number from ${rule.min} to ${rule.max}`;
}

function inRange(text: string, rule: FieldRule): string | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= rule.min && n <= rule.max ? undefined : `${text} is outside ${rule.min}–${rule.max}`;
}

function numberOf(text: string, rule: FieldRule): number {
  if (/^\d+$/.test(text)) return Number(text);
  return rule.min + (rule.names?.indexOf(text.toUpperCase()) ?? 0);
}

/**
 * The croner pattern of a valid expression. Croner takes a leading seconds field and an optional year; `?` is its
 * `*`; with `alternativeWeekdays` it reads day-of-week numbers as Quartz does (1 = Sunday); EventBridge's `6L`
 * (last Friday) is croner's `6#L`, and a lone `L` in day-of-week (Saturday, as in Quartz) is `7`.
 */
export function toCronerPattern(fields: CronFields): string {
  const dayOfWeek = fields.dayOfWeek === 'L' ? '7' : fields.dayOfWeek.replace(/^([0-9A-Za-z]{1,3})L$/, '$1#L');
  const ordered = [fields.minutes, fields.hours, fields.dayOfMonth, fields.month, dayOfWeek, fields.year];
  // Croner refuses Quartz's `a/n` (from a, every n), and steps a year `*` from 0: both become `a-b/n`.
  const stepped = ordered.map((field, i) =>
    field
      .split(',')
      .map((item) =>
        item
          .replace(/^\*\/(\d+)$/, `${RULES[i]?.min ?? ''}-${RULES[i]?.max ?? ''}/$1`)
          .replace(/^([0-9A-Za-z]+)\/(\d+)$/, `$1-${RULES[i]?.max ?? ''}/$2`),
      )
      .join(','),
  );
  return ['0', ...stepped].map((f) => f.replaceAll('?', '*')).join(' ');
}

/**
 * How croner must read the pattern: EventBridge fires when day-of-month AND day-of-week match (one is always `?`),
 * unlike classic cron's OR.
 */
export const CRONER_OPTIONS = { domAndDow: true, alternativeWeekdays: true, paused: true } as const;
