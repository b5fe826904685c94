import type { ErrorClass } from '../../core/errors';

/** DCS's own codes, consulted before the shared gateway/common mapping. */
const DCS_CODES: Readonly<Record<string, ErrorClass>> = {
  'DCS.4133': 'not-found', // migration task does not exist (HTTP 400, not 404)
};

export function classifyDcsCode(code: string): ErrorClass | undefined {
  return DCS_CODES[code];
}
