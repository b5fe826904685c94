import type { ErrorClass } from '../../core/errors';

/**
 * OMS's own error codes, consulted before the gateway/common mapping of the shared Huawei client.
 * They arrive as HTTP 400, so without this table each would read as a plain bad request.
 */
const OMS_CODES: Readonly<Record<string, ErrorClass>> = {
  'OMS.1009': 'not-found', // task does not exist (HTTP 400, not 404)
  'OMS.0066': 'invalid-state', // stop on a task that is not migrating
  'OMS.0063': 'retryable', // task busy: another operation on it is still in progress
};

export function classifyOmsCode(code: string): ErrorClass | undefined {
  return OMS_CODES[code];
}
