import * as z from 'zod/mini';
import { commandSchema, scopeSchema } from '../core/command';
import '../core/zod-messages';
import { parseEventBridgeCron } from './cron';
import { isIanaTimeZone } from './time-zone';

/**
 * `config/windows.<stage>.yaml`: the stage's pause/resume windows. Each becomes EventBridge Scheduler schedules at
 * package time (config/windows.cjs); the window function gets everything it checks at fire time (its zone and
 * blackout dates) in the schedule's input, so the file is not needed at run time.
 */

/** The window name of the sweep that serverless.yml schedules every five minutes. */
export const SWEEP_WINDOW = 'expired-holds';

/** Short enough that `<service>-<stage>-<window>-resume` stays within a schedule name's 64 characters. */
export const windowNameSchema = z.string().check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'letters, digits, . _ - (at most 32, starting with a letter or digit)'),
  // The sweep's source is window:expired-holds: a window of that name would release, and be released by, the sweep.
  z.refine((name) => name !== SWEEP_WINDOW, `${SWEEP_WINDOW} is the sweep of expired holds; choose another name`),
);

const cronSchema = z.string().check(
  z.superRefine((expression, ctx) => {
    const parsed = parseEventBridgeCron(expression);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${expression} — ${parsed.message}`, input: expression });
  }),
);

/** A real calendar date, `YYYY-MM-DD`. */
const dateSchema = z
  .string()
  .check(
    z.refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && isCalendarDate(d), 'is not a date written YYYY-MM-DD (e.g. 2026-12-25)'),
  );

/** A wall-clock time in the window's zone, no offset: `2026-12-20T01:00` or `2026-12-20T01:00:00`. */
const localDateTimeSchema = z
  .string()
  .check(
    z.refine(
      (t) => /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(t) && isCalendarDate(t.slice(0, 10)),
      'is not a local date-time written YYYY-MM-DDTHH:MM (no offset: the window’s timezone applies)',
    ),
  );

export const blackoutSchema = z.union([
  dateSchema,
  z
    .strictObject({ from: dateSchema, to: dateSchema, note: z.optional(z.string().check(z.maxLength(200))) })
    .check(z.refine((r) => r.from <= r.to, { message: 'from is after to', path: ['to'] })),
]);

export const windowSchema = z
  .strictObject({
    name: windowNameSchema,
    timezone: z.string().check(z.refine(isIanaTimeZone, 'is not an IANA time zone (e.g. Asia/Seoul, Europe/Berlin, UTC)')),
    /** Recurring: EventBridge cron expressions, in the window's zone. */
    pause: z.optional(cronSchema),
    resume: z.optional(cronSchema),
    /** One-off: local date-times in the window's zone (EventBridge at()). */
    once: z.optional(
      z
        .strictObject({ pause: localDateTimeSchema, resume: localDateTimeSchema })
        .check(
          z.refine((o) => normalise(o.pause) < normalise(o.resume), { message: 'resume is not after pause', path: ['resume'] }),
        ),
    ),
    scope: scopeSchema,
    reason: commandSchema.shape.reason,
    enabled: z._default(z.boolean(), true),
    /** Dates (or ranges) in the window's zone on which its pause does not fire. */
    except: z._default(z.array(blackoutSchema).check(z.maxLength(200)), []),
  })
  .check(
    z.superRefine((w, ctx) => {
      const recurring = w.pause !== undefined || w.resume !== undefined;
      if (recurring && w.once) {
        ctx.addIssue({
          code: 'custom',
          message: 'a window is recurring (pause, resume) or once, not both',
          path: ['once'],
          input: w,
        });
      } else if (!recurring && !w.once) {
        ctx.addIssue({
          code: 'custom',
          message: 'give pause and resume crons, or once: { pause, resume }',
          path: ['pause'],
          input: w,
        });
      } else if (recurring && (w.pause === undefined || w.resume === undefined)) {
        const missing = w.pause === undefined ? 'pause' : 'resume';
        ctx.addIssue({ code: 'custom', message: `a recurring window needs both pause and resume`, path: [missing], input: w });
      }
      if (w.once && w.except.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'applies to recurring windows only', path: ['except'], input: w });
      }
    }),
  );

export const windowsFileSchema = z.strictObject({
  /** The file format's version: a later format change is told apart from a mistake. */
  version: z._default(z.literal(1), 1),
  windows: z.array(windowSchema).check(z.maxLength(50)),
});

export type WindowsFileInput = z.input<typeof windowsFileSchema>;
export type WindowsFile = z.output<typeof windowsFileSchema>;
export type WindowDefinition = z.output<typeof windowSchema>;

/** `2026-12-20T01:00` → `2026-12-20T01:00:00` (what at() takes). */
export function normalise(localDateTime: string): string {
  return localDateTime.length === 16 ? `${localDateTime}:00` : localDateTime;
}

function isCalendarDate(date: string): boolean {
  const [y = 0, m = 0, d = 0] = date.split('-').map(Number);
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
}
