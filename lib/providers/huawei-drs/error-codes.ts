import type { ErrorClass } from '../../core/errors';

/** "The job does not exist", both as a per-job result and as a whole-request 400. */
export const DRS_JOB_NOT_FOUND = 'DRS.10000010';

/**
 * DRS codes that arrive on a whole-request HTTP 400, consulted before the shared gateway/common mapping.
 * A not-found batch is still split by the bisect helper (not-found is a content rejection), so the one
 * unknown job is isolated and the others go through.
 */
const DRS_REQUEST_CODES: Readonly<Record<string, ErrorClass>> = {
  [DRS_JOB_NOT_FOUND]: 'not-found',
};

export function classifyDrsCode(code: string): ErrorClass | undefined {
  return DRS_REQUEST_CODES[code];
}

/**
 * The class of one job's failure inside an HTTP 200 batch answer. Per-job failures are nearly always "this job
 * cannot do that now" (wrong state, an operation in progress), so unknown codes read as invalid-state.
 */
export function classifyDrsJobCode(code: string | undefined): ErrorClass {
  if (code === DRS_JOB_NOT_FOUND) return 'not-found';
  if (code?.startsWith('APIG')) return 'provider-error';
  return 'invalid-state';
}
