import * as z from 'zod/mini';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { omsPhase } from './states';
import '../../core/zod-messages';

/**
 * OMS task ids are 15-digit integers on the wire. 15 digits stay below 2^53, so JSON.parse keeps them
 * exact; anything larger would already have lost digits, and is refused rather than rounded.
 */
const omsTaskIdSchema = z.union([
  z.pipe(z.number().check(z.refine(Number.isSafeInteger, 'id is not an exact integer')), z.transform(String)),
  z.string().check(z.regex(/^\d{1,20}$/, 'id is not an integer')),
]);

const omsStatusSchema = z.pipe(z.union([z.int(), z.string().check(z.regex(/^\d+$/))]), z.transform(String));

/** Only the fields we use; everything else the service sends (node details, bandwidth policies) is dropped. */
export const omsTaskSchema = z.object({
  id: omsTaskIdSchema,
  name: z.optional(z.string()),
  status: omsStatusSchema,
  progress: z.nullish(z.number()),
  complete_size: z.nullish(z.number()),
  total_size: z.nullish(z.number()),
  group_id: z.nullish(z.string()),
  task_type: z.nullish(z.string()),
  error_reason: z.nullish(z.object({ error_code: z.nullish(z.string()), error_msg: z.nullish(z.string()) })),
});

export const omsTaskListSchema = z.object({
  tasks: z.pipe(
    z.nullish(z.array(omsTaskSchema)),
    z.transform((tasks) => tasks ?? []),
  ),
  count: z.int().check(z.gte(0)),
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
export function parseOmsBody<S extends z.ZodMiniType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody('huawei-oms', 'OMS', schema, json, what, taskId);
}
