import * as z from 'zod/mini';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { NCP_PROVIDER } from './errors';
import { ncpPhase } from './states';
import '../../core/zod-messages';

// Display-only fields: an unexpected type drops the field rather than failing the whole job.
const text = z.catch(z.nullish(z.string()), undefined);
const amount = z.catch(z.nullish(z.union([z.number(), z.string()])), undefined);

/** Only the fields we use or show; anything else NCP sends is dropped. */
export const ncpJobSchema = z.pipe(
  z.object({
    title: z.string().check(z.minLength(1)),
    jobState: z.string().check(z.minLength(1)),
    sourceCspType: text,
    sourceBucketName: text,
    sourceRegionName: text,
    targetBucketName: text,
    // Older NCP docs spell it this way; accept both.
    targetBuketName: text,
    targetRegionName: text,
    estimatedSize: amount,
    migratedSize: amount,
    skippedSize: amount,
    estimatedObjectNum: amount,
    migratedObjectNum: amount,
    skippedObjectNum: amount,
  }),
  z.transform(({ targetBuketName, targetBucketName, ...job }) => ({
    ...job,
    targetBucketName: targetBucketName ?? targetBuketName,
  })),
);

export const ncpJobListSchema = z.object({
  // Not documented beyond its name; we read it as the total number of jobs, and page by jobList length anyway.
  num: z.catch(
    z.nullish(z.union([z.int().check(z.gte(0)), z.pipe(z.string().check(z.regex(/^\d+$/)), z.transform(Number))])),
    undefined,
  ),
  jobList: z.pipe(
    z.nullish(z.array(ncpJobSchema)),
    z.transform((jobs) => jobs ?? []),
  ),
});

export type NcpJob = z.output<typeof ncpJobSchema>;

const DETAIL_FIELDS = [
  'sourceCspType',
  'sourceBucketName',
  'sourceRegionName',
  'targetBucketName',
  'targetRegionName',
  'estimatedSize',
  'migratedSize',
  'skippedSize',
  'estimatedObjectNum',
  'migratedObjectNum',
  'skippedObjectNum',
] as const;

/** A policy is named by its title, which is also its id. */
export function toProviderTask(account: string, job: NcpJob): ProviderTask {
  const details: Record<string, string | number | boolean> = {};
  for (const field of DETAIL_FIELDS) {
    const value = job[field];
    if (value != null) details[field] = value;
  }
  return {
    provider: NCP_PROVIDER,
    account,
    taskId: job.title,
    name: job.title,
    state: job.jobState,
    phase: ncpPhase(job.jobState),
    details,
  };
}

/** Parses a response body at the edge (see parseResponseBody). */
export function parseNcpBody<S extends z.ZodMiniType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody(NCP_PROVIDER, NCP_PROVIDER, schema, json, what, taskId);
}
