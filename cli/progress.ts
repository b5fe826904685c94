import type { TargetOutcome } from '../lib/core/types';
import { manifestOf, PROVIDER_KEYS, type ProviderKey } from '../lib/providers/keys';

/** What one provider's targets have come to so far, and how many there are (once its accounts were listed). */
export interface ProviderProgress {
  done: number;
  failed: number;
  expected?: number;
}
export type ProgressCounts = Partial<Record<ProviderKey, ProviderProgress>>;

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

export interface ProgressLineOptions {
  /** `pausing`, `resuming`. */
  label: string;
  elapsedMs: number;
  /** Colour codes (a terminal without NO_COLOR). */
  colour: boolean;
  /** Characters of the bar (default 20). */
  barWidth?: number;
}

/**
 * One progress line: a bar when every provider's total is known, then done/expected per provider (failures
 * counted apart), then the time taken. Pure, so what an operator sees is tested without a terminal.
 */
export function progressLine(counts: ProgressCounts, options: ProgressLineOptions): string {
  const providers = PROVIDER_KEYS.filter((p) => counts[p] !== undefined);
  const paint = (code: string, text: string) => (options.colour ? `${code}${text}${RESET}` : text);
  let done = 0;
  let expected = 0;
  let known = providers.length > 0;
  const parts: string[] = [];
  for (const provider of providers) {
    const c = counts[provider] ?? { done: 0, failed: 0 };
    done += c.done;
    if (c.expected === undefined) known = false;
    else expected += Math.max(c.expected, c.done);
    const of = c.expected === undefined ? '' : `/${Math.max(c.expected, c.done)}`;
    const failed = c.failed > 0 ? ` ${paint(RED, `${c.failed} failed`)}` : '';
    parts.push(`${manifestOf(provider).shortName} ${c.done}${of}${failed}`);
  }
  const seconds = `${Math.floor(options.elapsedMs / 1000)}s`;
  if (!known) return [options.label, `${done} done`, ...parts, seconds].join('  ');
  const width = options.barWidth ?? 20;
  const filled = expected === 0 ? width : Math.min(width, Math.floor((done / expected) * width));
  const bar = `[${paint(GREEN, '#'.repeat(filled))}${'.'.repeat(width - filled)}]`;
  return [options.label, `${bar} ${done}/${expected}`, ...parts, seconds].join('  ');
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporterOptions {
  stream: ProgressStream;
  label: string;
  colour: boolean;
  /** Nothing is shown for runs shorter than this (default 1 s). */
  delayMs?: number;
  /** How often a terminal line is redrawn (default 100 ms). */
  redrawMs?: number;
  /** How often a plain line is written when the stream is not a terminal (default 5 s). */
  plainEveryMs?: number;
  now?: () => number;
}

export interface ProgressReporter {
  /** `n` more targets of `provider` are planned (an account was listed, holds were counted). */
  expect(provider: ProviderKey, n: number): void;
  /** For RunDeps.onOutcome. */
  onOutcome(outcome: TargetOutcome): void;
  /** Stops drawing and clears the line (a terminal) before the result is printed. */
  finish(): void;
}

/**
 * Shows progress on stderr for runs longer than a second: on a terminal one line redrawn in place and cleared at
 * the end; otherwise a plain line every few seconds, so a CI log shows that a long run is alive.
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const counts: ProgressCounts = {};
  const tty = options.stream.isTTY === true;
  let drawn = false;
  const of = (provider: ProviderKey) => {
    const c = counts[provider] ?? { done: 0, failed: 0 };
    counts[provider] = c;
    return c;
  };
  const line = () => progressLine(counts, { label: options.label, elapsedMs: now() - startedAt, colour: tty && options.colour });
  let last = '';
  const draw = () => {
    if (tty) {
      // Only a changed line is written: a terminal over a slow link should not receive the same line ten times a second.
      const text = line();
      if (text === last) return;
      last = text;
      options.stream.write(`\r${text}\u001b[K`);
      drawn = true;
    } else {
      options.stream.write(`${line()}\n`);
    }
  };
  let ticker: ReturnType<typeof setInterval> | undefined;
  const starter = setTimeout(() => {
    draw();
    ticker = setInterval(draw, tty ? (options.redrawMs ?? 100) : (options.plainEveryMs ?? 5000));
    ticker.unref?.();
  }, options.delayMs ?? 1000);
  starter.unref?.();
  return {
    expect(provider, n) {
      const c = of(provider);
      c.expected = (c.expected ?? 0) + n;
    },
    onOutcome(outcome) {
      const c = of(outcome.target.provider);
      c.done += 1;
      if (outcome.outcome === 'failed') c.failed += 1;
    },
    finish() {
      clearTimeout(starter);
      if (ticker) clearInterval(ticker);
      if (drawn) options.stream.write('\r\u001b[K');
    },
  };
}

/** Colour only where a person reads it and has not asked for none (https://no-color.org). */
export function colourWanted(env: Record<string, string | undefined>, isTTY: boolean | undefined): boolean {
  return isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}
