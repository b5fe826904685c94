import * as z from 'zod/mini';
import { redactValues } from '../../core/redaction';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { BACKUPFILE_IMPORT_UNSUPPORTED, dcsPhase } from './states';
import '../../core/zod-messages';

/** A password is read only to be hidden: one of another type is no password we could find in the text. */
const password = z.catch(z.nullish(z.string()), undefined);

/**
 * The safe fields of a DCS migration task, and only those. DCS sends the source and target Redis passwords
 * (`source_instance.password`, `target_instance.password`) with every task: they are read only to be redacted
 * from the task's own text (a name or description that quotes them), then dropped, so no password survives this
 * parse into a ProviderTask, an error or a log. Every other key z.object drops.
 */
export const dcsTaskSchema = z.pipe(
  z.object({
    task_id: z.string().check(z.minLength(1)),
    task_name: z.nullish(z.string()),
    status: z.string().check(z.minLength(1)),
    migration_type: z.nullish(z.string()),
    migration_method: z.nullish(z.string()),
    network_type: z.nullish(z.string()),
    created_at: z.nullish(z.string()),
    updated_at: z.nullish(z.string()),
    source_instance: z.catch(z.nullish(z.object({ password })), undefined),
    target_instance: z.nullish(z.object({ id: z.nullish(z.string()), name: z.nullish(z.string()), password })),
  }),
  z.transform(({ source_instance: source, target_instance: target, ...task }) => {
    const passwords = [source?.password, target?.password].filter((p): p is string => typeof p === 'string');
    const hide = <T extends string | null | undefined>(text: T): T =>
      (typeof text === 'string' ? redactValues(text, passwords) : text) as T;
    return {
      task_id: task.task_id,
      task_name: hide(task.task_name),
      status: task.status,
      migration_type: hide(task.migration_type),
      migration_method: hide(task.migration_method),
      network_type: hide(task.network_type),
      created_at: hide(task.created_at),
      updated_at: hide(task.updated_at),
      target_instance: target == null ? target : { id: target.id, name: hide(target.name) },
    };
  }),
);

export const dcsTaskListSchema = z.object({
  count: z.int().check(z.gte(0)),
  migration_tasks: z.pipe(
    z.nullish(z.array(dcsTaskSchema)),
    z.transform((tasks) => tasks ?? []),
  ),
});

/** batch-stop and batch-restart: one entry per task; `success` means dispatched, not done. */
export const dcsBatchResultSchema = z.object({
  migration_tasks: z.pipe(
    z.nullish(
      z.array(
        z.object({
          task_id: z.string(),
          result: z.string(),
          error_code: z.nullish(z.string()),
          error_msg: z.nullish(z.string()),
        }),
      ),
    ),
    z.transform((results) => results ?? []),
  ),
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
export function parseDcsBody<S extends z.ZodMiniType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody('huawei-dcs', 'DCS', schema, json, what, taskId);
}
