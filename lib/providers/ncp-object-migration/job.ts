import * as z from 'zod';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { NCP_PROVIDER } from './errors';
import { ncpPhase } from './states';

// Display-only fields: an unexpected type drops the field rather than failing the whole job.
const text = z.string().nullish().catch(undefined);
const amount = z.union([z.number(), z.string()]).nullish().catch(undefined);

/** Only the fields we use or show; anything else NCP sends is dropped. */
export const ncpJobSchema = z
  .object({
    title: z.string().min(1),
    jobState: z.string().min(1),
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
  })
  .transform(({ targetBuketName, targetBucketName, ...job }) => ({
    ...job,
    targetBucketName: targetBucketName ?? targetBuketName,
  }));

export const ncpJobListSchema = z.object({
  // Not documented beyond its name; we read it as the total number of jobs, and page by jobList length anyway.
  num: z
    .union([z.int().min(0), z.string().regex(/^\d+$/).transform(Number)])
    .nullish()
    .catch(undefined),
  jobList: z
    .array(ncpJobSchema)
    .nullish()
    .transform((jobs) => jobs ?? []),
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
export function parseNcpBody<S extends z.ZodType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody(NCP_PROVIDER, NCP_PROVIDER, schema, json, what, taskId);
}
