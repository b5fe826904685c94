import * as z from 'zod';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { BACKUPFILE_IMPORT_UNSUPPORTED, dcsPhase } from './states';

/**
 * The safe fields of a DCS migration task, and only those. DCS sends the source and target Redis passwords
 * (`source_instance.password`, `target_instance.password`) with every task: z.object drops every key it does
 * not name, so no password survives this parse into a ProviderTask, an error or a log.
 */
export const dcsTaskSchema = z.object({
  task_id: z.string().min(1),
  task_name: z.string().nullish(),
  status: z.string().min(1),
  migration_type: z.string().nullish(),
  migration_method: z.string().nullish(),
  network_type: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  target_instance: z.object({ id: z.string().nullish(), name: z.string().nullish() }).nullish(),
});

export const dcsTaskListSchema = z.object({
  count: z.int().min(0),
  migration_tasks: z
    .array(dcsTaskSchema)
    .nullish()
    .transform((tasks) => tasks ?? []),
});

/** batch-stop and batch-restart: one entry per task; `success` means dispatched, not done. */
export const dcsBatchResultSchema = z.object({
  migration_tasks: z
    .array(
      z.object({
        task_id: z.string(),
        result: z.string(),
        error_code: z.string().nullish(),
        error_msg: z.string().nullish(),
      }),
    )
    .nullish()
    .transform((results) => results ?? []),
});

export type DcsTask = z.output<typeof dcsTaskSchema>;
export type DcsBatchResult = z.output<typeof dcsBatchResultSchema>['migration_tasks'][number];

export function toProviderTask(account: string, task: DcsTask): ProviderTask {
  const details: Record<string, string | number | boolean> = {};
  const safe: Array<[string, string | null | undefined]> = [
    ['migration_type', task.migration_type],
    ['migration_method', task.migration_method],
    ['network_type', task.network_type],
    ['created_at', task.created_at],
    ['updated_at', task.updated_at],
    ['target_instance_id', task.target_instance?.id],
    ['target_instance_name', task.target_instance?.name],
  ];
  for (const [key, value] of safe) if (value != null) details[key] = value;
  return {
    provider: 'huawei-dcs',
    account,
    taskId: task.task_id,
    name: task.task_name ?? task.task_id,
    state: task.status,
    phase: dcsPhase(task.status),
    ...(task.migration_type === 'backupfile_import' ? { resumeUnsupportedReason: BACKUPFILE_IMPORT_UNSUPPORTED } : {}),
    details,
  };
}

/** Parses a response body at the edge (see parseResponseBody). */
export function parseDcsBody<S extends z.ZodType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody('huawei-dcs', 'DCS', schema, json, what, taskId);
}
