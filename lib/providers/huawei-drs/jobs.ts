import * as z from 'zod/mini';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { drsPhase } from './states';
import '../../core/zod-messages';

/** The kinds of job DRS lists separately; list() walks all three. */
export const DRS_DB_USE_TYPES = ['migration', 'sync', 'cloudDataGuard'] as const;
export type DrsDbUseType = (typeof DRS_DB_USE_TYPES)[number];

const optionalText = z.nullish(z.string());

/** One job in `POST /v3/{project_id}/jobs`; many more fields exist, we keep the ones operators need. */
export const drsJobSchema = z.object({
  id: z.string().check(z.minLength(1)),
  name: optionalText,
  status: z.string(),
  engine_type: optionalText,
  job_direction: optionalText,
  db_use_type: optionalText,
  task_type: optionalText,
});
export type DrsJob = z.output<typeof drsJobSchema>;

export const drsJobListSchema = z.object({
  total_record: z.optional(z.int().check(z.nonnegative())),
  jobs: z.pipe(
    z.nullish(z.array(drsJobSchema)),
    z.transform((jobs) => jobs ?? []),
  ),
});

/** `jobs/batch-status`: note `error_message` here, `error_msg` in the action results. */
export const drsStatusListSchema = z.object({
  results: z.pipe(
    z.nullish(
      z.array(
        z.object({
          id: z.string().check(z.minLength(1)),
          status: optionalText,
          error_code: optionalText,
          error_message: optionalText,
        }),
      ),
    ),
    z.transform((results) => results ?? []),
  ),
});

/** `jobs/batch-pause-task` and `jobs/batch-retry-task`: partial failure arrives inside an HTTP 200. */
export const drsActionResultsSchema = z.object({
  results: z.pipe(
    z.nullish(
      z.array(
        z.object({
          id: z.string().check(z.minLength(1)),
          status: z.string(),
          error_code: optionalText,
          error_msg: optionalText,
        }),
      ),
    ),
    z.transform((results) => results ?? []),
  ),
});

export function toProviderTask(accountName: string, job: DrsJob, dbUseType?: DrsDbUseType): ProviderTask {
  const details: Record<string, string> = {};
  const kind = job.db_use_type ?? dbUseType;
  if (kind) details.dbUseType = kind;
  if (job.engine_type) details.engineType = job.engine_type;
  if (job.job_direction) details.direction = job.job_direction;
  return {
    provider: 'huawei-drs',
    account: accountName,
    taskId: job.id,
    name: job.name || job.id,
    state: job.status,
    phase: drsPhase(job.status),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/** Parses a response body at the edge (see parseResponseBody). */
export function parseDrsBody<S extends z.ZodMiniType>(schema: S, json: unknown, what: string): z.output<S> {
  return parseResponseBody('huawei-drs', 'DRS', schema, json, what);
}
