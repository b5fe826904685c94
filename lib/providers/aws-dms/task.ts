import * as z from 'zod/mini';
import { parseResponseBody } from '../response-body';
import type { ProviderTask } from '../types';
import { DMS_PROVIDER } from './errors';
import { dmsPhase } from './states';
import '../../core/zod-messages';

// Display-only fields: an unexpected type drops the field rather than failing the whole task.
const text = z.catch(z.optional(z.string()), undefined);
const percent = z.catch(z.optional(z.number()), undefined);

/**
 * The fields of a DMS replication task we use or show; everything else (its settings, table mappings) is dropped.
 * The task is named by its ARN, which Stop/StartReplicationTask take.
 */
export const dmsTaskSchema = z.object({
  ReplicationTaskArn: z.string().check(z.minLength(1)),
  ReplicationTaskIdentifier: text,
  Status: z.string().check(z.minLength(1)),
  StopReason: text,
  MigrationType: text,
  ReplicationInstanceArn: text,
  SourceEndpointArn: text,
  TargetEndpointArn: text,
  ReplicationTaskStats: z.catch(z.optional(z.object({ FullLoadProgressPercent: percent })), undefined),
});

export const dmsTaskPageSchema = z.object({
  ReplicationTasks: z.pipe(
    z.optional(z.array(dmsTaskSchema)),
    z.transform((tasks) => tasks ?? []),
  ),
  Marker: z.optional(z.string()),
});

/** Stop/StartReplicationTask answer with the task, its status already moving (stopping, starting). */
export const dmsActionSchema = z.object({ ReplicationTask: dmsTaskSchema });

export type DmsTask = z.output<typeof dmsTaskSchema>;

export function toProviderTask(account: string, task: DmsTask): ProviderTask {
  const details: Record<string, string | number | boolean> = {};
  const safe: Array<[string, string | number | undefined]> = [
    ['migrationType', task.MigrationType],
    ['stopReason', task.StopReason],
    ['replicationInstanceArn', task.ReplicationInstanceArn],
    ['sourceEndpointArn', task.SourceEndpointArn],
    ['targetEndpointArn', task.TargetEndpointArn],
    ['fullLoadProgressPercent', task.ReplicationTaskStats?.FullLoadProgressPercent],
  ];
  for (const [key, value] of safe) if (value !== undefined) details[key] = value;
  return {
    provider: DMS_PROVIDER,
    account,
    taskId: task.ReplicationTaskArn,
    name: task.ReplicationTaskIdentifier ?? task.ReplicationTaskArn,
    state: task.Status,
    phase: dmsPhase(task.Status, task.StopReason),
    details,
  };
}

/** Parses an SDK answer at the edge (see parseResponseBody). */
export function parseDmsBody<S extends z.ZodMiniType>(schema: S, json: unknown, what: string, taskId?: string): z.output<S> {
  return parseResponseBody(DMS_PROVIDER, 'DMS', schema, json, what, taskId);
}
