import { ProviderError } from '../../core/errors';
import type { ActionResult, ProviderSession, ProviderTask } from '../types';
import type { DmsCalls } from './client';
import { DMS_PROVIDER } from './errors';
import { dmsTaskPageSchema, parseDmsBody, toProviderTask } from './task';

/** DescribeReplicationTasks takes MaxRecords from 20 to 100 (default 100). */
export const DMS_PAGE_SIZE = 100;
/** ARNs per `replication-task-arn` filter when reading tasks back (no limit is documented: stay modest). */
export const DMS_READ_BATCH = 50;

export interface DmsSessionOptions {
  accountName: string;
  /** Anything that makes the DMS calls: the SDK-backed createDmsCalls, or a fake in unit tests. */
  calls: DmsCalls;
}

/**
 * One account's DMS replication tasks. Stop and start take one task each (DMS has no batch call), so a batch is one
 * call per task, each failing alone; reads are batched by an ARN filter.
 */
export function createDmsSession({ accountName, calls }: DmsSessionOptions): ProviderSession {
  /** Every page of a describe, settings left out (they can be megabytes of JSON we never read). */
  async function describe(arns?: readonly string[], taskId?: string): Promise<ProviderTask[]> {
    const tasks = new Map<string, ProviderTask>();
    let marker: string | undefined;
    do {
      const answer = await calls.describeReplicationTasks(
        {
          MaxRecords: DMS_PAGE_SIZE,
          WithoutSettings: true,
          ...(marker === undefined ? {} : { Marker: marker }),
          ...(arns === undefined ? {} : { Filters: [{ Name: 'replication-task-arn', Values: [...arns] }] }),
        },
        { taskId },
      );
      const page = parseDmsBody(dmsTaskPageSchema, answer, 'DescribeReplicationTasks', taskId);
      const before = tasks.size;
      for (const task of page.ReplicationTasks) tasks.set(task.ReplicationTaskArn, toProviderTask(accountName, task));
      // A marker that brings nothing new would loop forever: stop rather than trust it.
      marker = page.Marker !== undefined && page.Marker !== '' && tasks.size > before ? page.Marker : undefined;
    } while (marker !== undefined);
    return [...tasks.values()];
  }

  async function readBatch(arns: readonly string[]): Promise<Array<[string, ProviderTask | ProviderError]>> {
    let found: ProviderTask[];
    try {
      found = await describe(arns, arns.length === 1 ? arns[0] : undefined);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // DMS answers a filter that matches nothing with ResourceNotFoundFault: then none of these ids exists.
      return arns.map((arn) => [arn, error.taskId === arn ? error : error.forTask(arn)]);
    }
    const byArn = new Map(found.map((task) => [task.taskId, task]));
    return arns.map((arn) => [arn, byArn.get(arn) ?? notFound(arn)]);
  }

  async function act(task: ProviderTask, action: 'stop' | 'resume'): Promise<ActionResult> {
    const context = { taskId: task.taskId };
    try {
      // The answer is the task, already stopping or starting; the pipeline confirms by reading it back.
      if (action === 'stop') await calls.stopReplicationTask({ ReplicationTaskArn: task.taskId }, context);
      else
        await calls.startReplicationTask(
          // resume-processing carries on from where the task stopped; start-replication would load everything again.
          { ReplicationTaskArn: task.taskId, StartReplicationTaskType: 'resume-processing' },
          context,
        );
      return { taskId: task.taskId, ok: true };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return { taskId: task.taskId, ok: false, error: error.taskId === task.taskId ? error : error.forTask(task.taskId) };
    }
  }

  return {
    list: () => describe(),
    async get(taskIds) {
      const unique = [...new Set(taskIds)];
      const batches: string[][] = [];
      for (let i = 0; i < unique.length; i += DMS_READ_BATCH) batches.push(unique.slice(i, i + DMS_READ_BATCH));
      const read = await Promise.all(batches.map(readBatch));
      return new Map(read.flat());
    },
    pause: (tasks) => Promise.all(tasks.map((task) => act(task, 'stop'))),
    resume: (tasks) => Promise.all(tasks.map((task) => act(task, 'resume'))),
  };
}

function notFound(arn: string): ProviderError {
  return new ProviderError(`DMS has no replication task ${arn}`, {
    errorClass: 'not-found',
    provider: DMS_PROVIDER,
    providerCode: 'ResourceNotFoundFault',
    taskId: arn,
  });
}
