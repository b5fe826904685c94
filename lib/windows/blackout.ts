import { localDateOf } from './time-zone';

/** A blackout: one date (`2026-12-25`) or an inclusive range of dates, in the window's own time zone. */
export type BlackoutDate = string | { from: string; to: string; note?: string };

/** The blackout that covers the local date of `at` in `zone`, if any. */
export function blackoutOn(
  at: Date,
  zone: string,
  except: readonly BlackoutDate[],
): { date: string; entry: BlackoutDate } | undefined {
  const date = localDateOf(at, zone);
  // ISO dates compare as strings.
  const entry = except.find((e) => (typeof e === 'string' ? e === date : e.from <= date && date <= e.to));
  return entry === undefined ? undefined : { date, entry };
}

/** `2026-12-25` or `2026-12-31..2027-01-02 (year end)`. */
export function describeBlackout(entry: BlackoutDate): string {
  if (typeof entry === 'string') return entry;
  return `${entry.from}..${entry.to}${entry.note ? ` (${entry.note})` : ''}`;
}
