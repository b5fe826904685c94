import { boundIssues } from '../core/command';
import type { FieldIssue } from '../core/errors';
import type { FailureMessage, FailureSink } from '../core/failures';
import { redactText, redactValue } from '../core/redaction';
import { countMetric, type Observability } from './middleware';

/** How much of a rejected message the failures queue keeps: enough to recognise it, never a whole payload. */
export const MAX_RECEIVED_BYTES = 2048;

/** How much of a huge input is looked at before it is cut to MAX_RECEIVED_BYTES (redaction reads it first). */
const MAX_SCANNED_CHARS = 64 * 1024;

/**
 * A message or event that is not what its function accepts: it goes to the failures queue, never retried. What
 * it keeps is bounded (issues by boundIssues, the input to 2 KB), has credentials redacted (someone may have
 * pasted a secret into a command) and holds only characters SQS accepts in a message body.
 */
export function invalidInputFailure(issues: readonly FieldIssue[], received: unknown, at: Date): FailureMessage {
  return {
    kind: 'invalid-command',
    issues: boundIssues(issues).map((i) => ({ path: sqsSafe(i.path), message: sqsSafe(i.message) })),
    received: truncateUtf8(sqsSafe(redactedText(received)), MAX_RECEIVED_BYTES),
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
  const failure = invalidInputFailure(issues, received, context.now());
  await context.failures.send([failure]);
  context.observability.logger.warn('rejected invalid input', {
    issues: failure.kind === 'invalid-command' ? failure.issues : [],
  });
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

/**
 * The input as text with credentials redacted: JSON (a body, or an event object) is redacted by key and
 * re-serialised; anything else (not JSON, or nested too deep to serialise) is redacted as text.
 */
function redactedText(received: unknown): string {
  let value = received;
  if (typeof received === 'string') {
    try {
      value = JSON.parse(received);
    } catch {
      return redactText(received.slice(0, MAX_SCANNED_CHARS));
    }
  }
  try {
    const text = JSON.stringify(redactValue(value));
    if (text !== undefined) return text.slice(0, MAX_SCANNED_CHARS);
  } catch {
    // Nested deeper than the stack allows: fall through to the text form.
  }
  // Not String(received): on an array nested thousands deep it overflows the stack just as JSON.stringify did.
  if (typeof received === 'string') return redactText(received.slice(0, MAX_SCANNED_CHARS));
  return `(not serialisable: ${Array.isArray(received) ? 'an array' : typeof received} nested too deep)`;
}

/**
 * SQS refuses a message body holding anything outside #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF
 * (JSON.stringify leaves U+FFFE and U+FFFF as they are): such characters are written as `\u{…}`.
 */
export function sqsSafe(text: string): string {
  return text.replace(
    /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu,
    (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`,
  );
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
