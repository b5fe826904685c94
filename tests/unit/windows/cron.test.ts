import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRONER_OPTIONS, parseEventBridgeCron, toCronerPattern } from '../../../lib/windows/cron';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One valid item of a numeric field: a value, an ordered range, or either with a step; or `*` with a step. */
function itemOf(min: number, max: number, names?: string[]) {
  const value = fc.integer({ min, max });
  const shown = (n: number) => (names && n % 2 === 0 ? (names[n - min] ?? String(n)) : String(n));
  const step = fc.integer({ min: 1, max: max - min + 1 });
  return fc.oneof(
    value.map(shown),
    fc.tuple(value, value).map(([a, b]) => `${shown(Math.min(a, b))}-${shown(Math.max(a, b))}`),
    fc.tuple(value, step).map(([a, s]) => `${shown(a)}/${s}`),
    step.map((s) => `*/${s}`),
  );
}

function fieldOf(min: number, max: number, names?: string[]) {
  return fc.oneof(
    fc.constant('*'),
    fc.array(itemOf(min, max, names), { minLength: 1, maxLength: 4 }).map((items) => items.join(',')),
  );
}

const dayOfMonth = fc.oneof(
  fieldOf(1, 31),
  fc.constantFrom('L', 'LW'),
  fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`),
);
const dayOfWeek = fc.oneof(
  fieldOf(1, 7, DAYS),
  fc.constant('L'),
  fc.integer({ min: 1, max: 7 }).map((d) => `${d}L`),
  fc.tuple(fc.constantFrom(...DAYS), fc.integer({ min: 1, max: 5 })).map(([d, k]) => `${d}#${k}`),
);

/** A random valid EventBridge cron: exactly one of the day fields is `?`. */
const validCron = fc
  .record({
    minutes: fieldOf(0, 59),
    hours: fieldOf(0, 23),
    days: fc.oneof(
      dayOfMonth.map((d) => [d, '?'] as const),
      dayOfWeek.map((d) => ['?', d] as const),
    ),
    month: fieldOf(1, 12, MONTHS),
    year: fc.oneof(fc.constant('*'), fieldOf(2026, 2199)),
  })
  .map((f) => [f.minutes, f.hours, f.days[0], f.month, f.days[1], f.year]);

const cron = (fields: readonly string[]) => `cron(${fields.join(' ')})`;

/** Values that no field accepts at any position. */
const OUT_OF_RANGE: Record<number, string> = { 0: '60', 1: '24', 2: '32', 3: '13', 4: '8', 5: '2200' };

describe('EventBridge cron expressions', () => {
  it('accepts every well-formed expression, and croner computes a fire time from it', () => {
    fc.assert(
      fc.property(validCron, (fields) => {
        const parsed = parseEventBridgeCron(cron(fields));
        expect(parsed).toMatchObject({ ok: true });
        if (parsed.ok)
          expect(() => new Cron(toCronerPattern(parsed.fields), { ...CRONER_OPTIONS, timezone: 'UTC' })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('rejects a field made out of range, naming that field', () => {
    fc.assert(
      fc.property(validCron, fc.integer({ min: 0, max: 5 }), (fields, index) => {
        const mutated = fields.map((f, i) => (i === index ? (OUT_OF_RANGE[i] ?? f) : f));
        const parsed = parseEventBridgeCron(cron(mutated));
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.message).toMatch(/minutes|hours|day-of-month|month|day-of-week|year/);
      }),
    );
  });

  it('rejects an expression with a field missing or one too many', () => {
    fc.assert(
      fc.property(validCron, fc.boolean(), (fields, drop) => {
        const parsed = parseEventBridgeCron(cron(drop ? fields.slice(1) : [...fields, '*']));
        expect(parsed).toEqual({ ok: false, message: expect.stringMatching(/has [57] fields; EventBridge cron has exactly 6/) });
      }),
    );
  });

  it('rejects both day fields set, or both ?', () => {
    fc.assert(
      fc.property(validCron, (fields) => {
        const both = [...fields];
        both[2] = both[2] === '?' ? '*' : (both[2] ?? '*');
        both[4] = both[4] === '?' ? '*' : (both[4] ?? '*');
        expect(parseEventBridgeCron(cron(both))).toEqual({
          ok: false,
          message: 'day-of-month and day-of-week cannot both be set; use ? in one',
        });
        const neither = [...fields];
        neither[2] = '?';
        neither[4] = '?';
        expect(parseEventBridgeCron(cron(neither))).toMatchObject({ ok: false });
      }),
    );
  });

  it('rejects a stray character in any field with a message, never a crash', () => {
    fc.assert(
      fc.property(
        validCron,
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom('%', '$', 'X', '.', '--', ',,', '//', '#'),
        (fields, i, junk) => {
          const mutated = fields.map((f, j) => (j === i ? `${f}${junk}` : f));
          const parsed = parseEventBridgeCron(cron(mutated));
          expect(parsed.ok).toBe(false);
          if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('answers any string with a result, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `cron(${s})`),
        ),
        (text) => {
          const parsed = parseEventBridgeCron(text);
          expect(typeof parsed.ok).toBe('boolean');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['cron(0 9 * * MON-FRI *)', 'day-of-month and day-of-week cannot both be set; use ? in one'],
    ['cron(0 9 ? * MON-FRI)', 'has 5 fields; EventBridge cron has exactly 6 (minutes hours day-of-month month day-of-week year)'],
    ['cron(0 25 ? * MON-FRI *)', 'hours "25": 25 is outside 0–23'],
    ['cron(0 9 ? * FRI-MON *)', 'day-of-week "FRI-MON": FRI-MON: the range starts after it ends'],
    ['cron(0 9 ? * MON#6 *)', 'day-of-week "MON#6": #6: the week of the month is 1 to 5'],
    ['cron(0 9 ? FOO * *)', 'month "FOO": "FOO" is not a number from 1 to 12 or one of JAN–DEC'],
    ['cron(0 9 L * ? *)', undefined],
    ['cron(0/15 9-17 ? JAN,MAR * 2026-2030)', undefined],
    ['rate(5 minutes)', 'not a cron(…) expression: write cron(minutes hours day-of-month month day-of-week year)'],
  ])('%s', (expression, message) => {
    const parsed = parseEventBridgeCron(expression);
    expect(parsed.ok ? undefined : parsed.message).toBe(message);
  });
});
