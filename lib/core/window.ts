import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { blackoutOn, describeBlackout } from '../windows/blackout';
import { blackoutSchema } from '../windows/schema';
import { isIanaTimeZone } from '../windows/time-zone';
import { actionOptionsSchema, type Command, commandSchema, parseCommand, toFieldIssues } from './command';
import { CommandValidationError } from './errors';
import type { SkippedFire } from './skip';
import './zod-messages';

/** Our namespace for name-based (v5) UUIDs: fixed forever, or every derived command id changes. */
const NAMESPACE = '6f1c2d3e-8a4b-5c6d-9e7f-0a1b2c3d4e5f';

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 of namespace + name): the same name always gives the same id,
 * so a duplicate delivery of the same thing becomes the same command.
 */
export function deterministicUuid(name: string, namespace: string = NAMESPACE): string {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The input an EventBridge Scheduler schedule hands the window function. `scheduledTime` and `scheduleArn`
 * are the scheduler's `<aws.scheduler.scheduled-time>` and `<aws.scheduler.schedule-arn>`, substituted per fire.
 */
export const windowInputSchema = z.strictObject({
  window: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)')),
  action: commandSchema.shape.action,
  scope: commandSchema.shape.scope,
  reason: commandSchema.shape.reason,
  /** The window's zone and blackout dates (config/windows.<stage>.yaml): a pause on one of them is skipped. */
  timezone: z.optional(z.string().check(z.refine(isIanaTimeZone, 'is not an IANA time zone'))),
  except: z.optional(z.array(blackoutSchema).check(z.maxLength(200))),
  scheduledTime: z.iso.datetime({ offset: true }),
  scheduleArn: z.string().check(z.minLength(1), z.maxLength(2048)),
  dryRun: z.optional(z.boolean()),
  options: z.optional(actionOptionsSchema),
});
export type WindowInput = z.output<typeof windowInputSchema>;

/**
 * One schedule fire → one Command. The id is derived from the schedule and its scheduled time (not the
 * delivery), so the scheduler's at-least-once redelivery of a fire is recognisably the same command.
 */
export function windowCommand(input: unknown): Command {
  const parsed = windowInputSchema.safeParse(input);
  if (!parsed.success) throw new CommandValidationError(toFieldIssues(parsed.error));
  const fire = parsed.data;
  return parseCommand({
    action: fire.action,
    scope: fire.scope,
    reason: fire.reason,
    requestedBy: `schedule:${fire.window}`,
    // The window is the source of its holds: its resume releases exactly what its pause placed.
    source: `window:${fire.window}`,
    commandId: windowCommandId(fire.scheduleArn, fire.scheduledTime),
    dryRun: fire.dryRun ?? false,
    ...(fire.options ? { options: fire.options } : {}),
  });
}

/**
 * The blackout a fire falls on, if it must be skipped: only a pause is. A resume on a blackout date still runs: it
 * releases only this window's own holds, so it changes nothing unless a pause before the blackout (an overnight
 * window) holds tasks — which must then not stay paused through the holiday.
 */
export function skippedFire(input: unknown): SkippedFire | undefined {
  const parsed = windowInputSchema.safeParse(input);
  if (!parsed.success) return undefined;
  const fire = parsed.data;
  if (fire.action !== 'pause' || !fire.timezone || !fire.except?.length) return undefined;
  const hit = blackoutOn(new Date(fire.scheduledTime), fire.timezone, fire.except);
  if (!hit) return undefined;
  return { window: fire.window, scheduledTime: fire.scheduledTime, localDate: hit.date, blackout: describeBlackout(hit.entry) };
}

/** Normalises the time first, so `...T00:00:00Z` and `...T09:00:00+09:00` (the same instant) agree. */
export function windowCommandId(scheduleArn: string, scheduledTime: string): string {
  return deterministicUuid(`schedule|${scheduleArn}|${new Date(scheduledTime).toISOString()}`);
}
