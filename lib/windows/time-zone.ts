/**
 * Whether `zone` is an IANA time zone name (Asia/Seoul, Europe/Berlin, UTC), the only kind EventBridge Scheduler's
 * ScheduleExpressionTimezone takes. Intl also accepts abbreviations and offsets on some Node versions ("EST",
 * "+09:00"), which Scheduler refuses: a name must be Area/Location or UTC.
 */
export function isIanaTimeZone(zone: string): boolean {
  if (zone !== 'UTC' && !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `2026-12-25`: the calendar date at `at` in `zone`. */
export function localDateOf(at: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}
