import type * as z from 'zod/mini';
import { ProviderError } from '../core/errors';
import type { ProviderKey } from './types';

/**
 * Parses a provider's response body at the edge. A body of a shape we do not know is the provider's fault and not
 * retryable: it becomes a provider-error naming the first paths that did not match — never values, since zod 4 does
 * not echo input into its messages and a body can hold a password.
 */
export function parseResponseBody<S extends z.ZodMiniType>(
  provider: ProviderKey,
  label: string,
  schema: S,
  json: unknown,
  what: string,
  taskId?: string,
): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  throw new ProviderError(`${label} answered ${what} with an unexpected body (${issues})`, {
    errorClass: 'provider-error',
    provider,
    taskId,
  });
}
