import { type ErrorClass, InvariantError, ProviderError } from '../core/errors';
import type { ActionResult } from './types';

/**
 * Batching with failure isolation, the one helper every batch-capable adapter uses (Instance Scheduler style).
 *
 * When a provider refuses a batch as a whole because of what is in it (DRS answers HTTP 400 for the whole
 * request when one job id is bad), every good item in it would fail with the bad one. So a refused batch is
 * split in halves and each half retried, until the offending item(s) stand alone and get the error as their
 * result. Errors that say nothing about the content (auth, throttled after the HTTP layer's retries,
 * retryable, provider-error) stop at once: every item not yet settled gets that error, and nothing more is
 * sent (five auth failures in a row lock a Huawei key).
 */

/** Classes that mean "this request's content was refused": worth splitting. */
export const BATCH_REJECTION_CLASSES: readonly ErrorClass[] = ['bad-request', 'not-found', 'invalid-state'];

export interface IsolationOptions {
  /** Whether an error means the batch was refused for its content; defaults to BATCH_REJECTION_CLASSES. */
  isBatchRejection?: (error: ProviderError) => boolean;
  /**
   * Most items one call may carry: `items` is first cut into chunks of this size, sent in order. A fatal
   * error in one chunk settles the later chunks too, unsent. Default: everything in one call.
   */
  batchLimit?: number;
}

/**
 * Calls `call` with all items, splitting refused batches until the bad items are isolated. Results keep the
 * order of `items`. A thrown value that is not a ProviderError is a bug and is rethrown.
 */
export async function isolateFailures<T, R>(
  items: readonly T[],
  call: (batch: readonly T[]) => Promise<R[]>,
  failed: (item: T, error: ProviderError) => R,
  options: IsolationOptions = {},
): Promise<R[]> {
  const isBatchRejection = options.isBatchRejection ?? defaultIsBatchRejection;
  const settled = new Map<number, R>();
  // Depth-first over index ranges [start, end): the left half is settled before the right half is tried.
  const pending: Array<[number, number]> = [];
  const limit = Math.max(1, Math.floor(options.batchLimit ?? items.length));
  for (let start = Math.ceil(items.length / limit - 1) * limit; start >= 0; start -= limit) {
    pending.push([start, Math.min(start + limit, items.length)]);
  }
  for (let range = pending.pop(); range; range = pending.pop()) {
    const [start, end] = range;
    const batch = items.slice(start, end);
    try {
      const results = await call(batch);
      if (results.length !== batch.length) {
        throw new InvariantError(`batch call returned ${results.length} results for ${batch.length} items`);
      }
      for (const [offset, result] of results.entries()) settled.set(start + offset, result);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (batch.length > 1 && isBatchRejection(error)) {
        const middle = start + Math.ceil(batch.length / 2);
        pending.push([middle, end], [start, middle]);
        continue;
      }
      for (let i = start; i < end; i++) settle(settled, items, i, error, failed);
      // A lost answer says nothing about the other batches (it is not a refusal, and no key was refused): they are
      // sent as usual, rather than failed unsent for one dropped connection.
      if (error.maybeApplied) continue;
      if (!isBatchRejection(error)) {
        for (const [restStart, restEnd] of pending) {
          for (let i = restStart; i < restEnd; i++) settle(settled, items, i, error, failed);
        }
        break;
      }
    }
  }
  return items.map((_, i) => {
    const result = settled.get(i);
    if (result === undefined) throw new InvariantError(`isolateFailures: no result for item ${i}`);
    return result;
  });
}

/**
 * The ActionResult form used by pause and resume: one result per item, in the order of `items`, whatever
 * order `call` answers in. A call that leaves an item without a result is a bug (InvariantError).
 */
export function callWithIsolation<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  call: (batch: readonly T[]) => Promise<ActionResult[]>,
  options: IsolationOptions = {},
): Promise<ActionResult[]> {
  const inBatchOrder = async (batch: readonly T[]): Promise<ActionResult[]> => {
    const byId = new Map((await call(batch)).map((result) => [result.taskId, result]));
    return batch.map((item) => {
      const result = byId.get(idOf(item));
      if (!result) throw new InvariantError(`batch call returned no result for task ${idOf(item)}`);
      return result;
    });
  };
  return isolateFailures<T, ActionResult>(
    items,
    inBatchOrder,
    (item, error) => ({ taskId: idOf(item), ok: false, error: error.forTask(idOf(item)) }),
    options,
  );
}

function defaultIsBatchRejection(error: ProviderError): boolean {
  return BATCH_REJECTION_CLASSES.includes(error.errorClass);
}

function settle<T, R>(
  settled: Map<number, R>,
  items: readonly T[],
  index: number,
  error: ProviderError,
  failed: (item: T, error: ProviderError) => R,
): void {
  const item = items[index];
  if (item !== undefined && !settled.has(index)) settled.set(index, failed(item, error));
}
