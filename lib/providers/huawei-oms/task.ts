import * as z from 'zod';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { omsPhase } from './states';

/**
 * OMS task ids are 15-digit integers on the wire. 15 digits stay below 2^53, so JSON.parse keeps them
 * exact; anything larger would already have lost digits, and is refused rather than rounded.
 */
const omsTaskIdSchema = z.union([
  z.number().refine(Number.isSafeInteger, 'id is not an exact integer').transform(String),
  z.string().regex(/^\d{1,20}$/, 'id is not an integer'),
]);

const omsStatusSchema = z.union([z.int(), z.string().regex(/^\d+$/)]).transform(String);

/** Only the fields we use; everything else the service sends (node details, bandwidth policies) is dropped. */
export const omsTaskSchema = z.object({
  id: omsTaskIdSchema,
  name: z.string().optional(),
  status: omsStatusSchema,
  progress: z.number().nullish(),
  complete_size: z.number().nullish(),
  total_size: z.number().nullish(),
  group_id: z.string().nullish(),
  task_type: z.string().nullish(),
  error_reason: z.object({ error_code: z.string().nullish(), error_msg: z.string().nullish() }).nullish(),
});

export const omsTaskListSchema = z.object({
  tasks: z
    .array(omsTaskSchema)
    .nullish()
    .transform((tasks) => tasks ?? []),
  count: z.int().min(0),
});

export type OmsTask = z.output<typeof omsTaskSchema>;

export function toProviderTask(account: string, task: OmsTask): ProviderTask {
  const details: Record<string, string | number | boolean> = {};
  if (task.task_type != null) details.task_type = task.task_type;
  if (task.group_id != null) details.group_id = task.group_id;
  if (task.progress != null) details.progress = task.progress;
  if (task.complete_size != null) details.complete_size = task.complete_size;
  if (task.total_size != null) details.total_size = task.total_size;
  if (task.error_reason?.error_code != null) details.error_code = task.error_reason.error_code;
  if (task.error_reason?.error_msg != null) details.error_msg = task.error_reason.error_msg;
  return {
    provider: 'huawei-oms',
    account,
    taskId: task.id,
    name: task.name ?? task.id,
    state: task.status,
    phase: omsPhase(task.status),
    details,
  };
}

/** Parses a response body at the edge (see parseResponseBody). */
export function parseOmsBody<S extends z.ZodType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody('huawei-oms', 'OMS', schema, json, what, taskId);
}
