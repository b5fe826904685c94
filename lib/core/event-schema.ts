import * as z from 'zod/mini';
import { PROVIDER_KEYS } from '../providers/keys';
import { ERROR_CLASSES } from './errors';
import { type DETAIL_TYPES, EVENTS_VERSION } from './events';
import { OUTCOMES } from './types';
import './zod-messages';

/**
 * The published shape of every event's `detail` (docs/events.schema.json is generated from it, and the events tests
 * parse what the runs emit with it): what a consumer may rely on. Fields may be added within a version.
 */

const COUNT_KINDS = [...OUTCOMES, 'planned', 'dispatched'] as const;
const countsSchema = z.partialRecord(z.enum(COUNT_KINDS), z.int().check(z.gte(0)));

export const summarySchema = z.looseObject({
  commandId: z.string(),
  action: z.enum(['pause', 'resume']),
  dryRun: z.boolean(),
  targets: z.int().check(z.gte(0)),
  byProvider: z.partialRecord(z.enum(PROVIDER_KEYS), countsSchema),
  totals: countsSchema,
  accountFailures: z.array(
    z.looseObject({
      provider: z.enum(PROVIDER_KEYS),
      account: z.string(),
      errorClass: z.enum(ERROR_CLASSES),
      providerCode: z.optional(z.string()),
      reason: z.string(),
    }),
  ),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  seconds: z.number(),
});

const aboutCommandShape = {
  version: z.literal(EVENTS_VERSION),
  commandId: z.string(),
  action: z.enum(['pause', 'resume']),
  source: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
};

export const commandCompletedSchema = z.looseObject({ ...aboutCommandShape, summary: summarySchema });

export const targetFailedSchema = z.looseObject({
  ...aboutCommandShape,
  summary: z.looseObject({ targets: z.int().check(z.gte(0)), totals: countsSchema }),
  failed: z
    .array(
      z.looseObject({
        target: z.looseObject({ provider: z.enum(PROVIDER_KEYS), account: z.string(), taskId: z.string(), name: z.string() }),
        reason: z.string(),
        errorClass: z.enum(ERROR_CLASSES),
        providerCode: z.optional(z.string()),
        attempts: z.int().check(z.gte(0)),
        failedAt: z.iso.datetime(),
      }),
    )
    .check(z.minLength(1)),
});

export const windowSkippedSchema = z.looseObject({
  ...aboutCommandShape,
  window: z.string(),
  scheduledTime: z.iso.datetime({ offset: true }),
  localDate: z.iso.date(),
  blackout: z.string(),
  summary: summarySchema,
});

/** Each detail type's detail. */
export const EVENT_DETAIL_SCHEMAS = {
  'Command Completed': commandCompletedSchema,
  'Target Failed': targetFailedSchema,
  'Window Skipped': windowSkippedSchema,
} as const satisfies Record<(typeof DETAIL_TYPES)[number], z.ZodMiniType>;
