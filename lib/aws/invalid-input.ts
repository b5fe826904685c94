import type { FieldIssue } from '../core/errors';
import type { FailureMessage, FailureSink } from '../core/failures';
import { countMetric, type Observability } from './middleware';

/** How much of a rejected message the failures queue keeps: enough to recognise it, never a whole payload. */
export const MAX_RECEIVED_BYTES = 2048;

/** A message or event that is not what its function accepts: it goes to the failures queue, never retried. */
export function invalidInputFailure(issues: readonly FieldIssue[], received: unknown, at: Date): FailureMessage {
  return {
    kind: 'invalid-command',
    issues: [...issues],
    received: truncateUtf8(asText(received), MAX_RECEIVED_BYTES),
    failedAt: at.toISOString(),
  };
}

/**
 * Sends the rejection to the failures queue (where a human sees it), logs the issues (not the payload) and
 * counts it. Throws only when the failures queue cannot be reached: then the input is retried.
 */
export async function reportInvalidInput(
  context: { failures: FailureSink; observability: Observability; now: () => Date },
  issues: readonly FieldIssue[],
  received: unknown,
): Promise<void> {
  await context.failures.send([invalidInputFailure(issues, received, context.now())]);
  context.observability.logger.warn('rejected invalid input', { issues });
  countMetric(context.observability.metrics, 'invalid-input');
}

/** JSON.parse that reports instead of throwing (the parser's message may quote the body: it is not kept). */
export function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; issues: FieldIssue[] } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, issues: [{ path: '(body)', message: 'not valid JSON' }] };
  }
}

function asText(received: unknown): string {
  if (typeof received === 'string') return received;
  try {
    return JSON.stringify(received) ?? String(received);
  } catch {
    return String(received);
  }
}

/** Cuts at a character boundary so the kept text is still valid UTF-8. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}
