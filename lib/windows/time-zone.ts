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

// Making a DateTimeFormat costs far more than using one: one per zone and shape, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();
export function formatterOf(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { ...options, timeZone: zone });
    formatters.set(key, formatter);
  }
  return formatter;
}

const DATE = { year: 'numeric', month: '2-digit', day: '2-digit' } as const;

/** `2026-12-25`: the calendar date at `at` in `zone`. */
export function localDateOf(at: Date, zone: string): string {
  const parts = Object.fromEntries(
    formatterOf(zone, DATE)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

const WALL_CLOCK = {
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
} as const;

/** Milliseconds `zone` is ahead of UTC at the instant `at`. */
function offsetAt(at: number, zone: string): number {
  const parts = Object.fromEntries(
    formatterOf(zone, WALL_CLOCK)
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
  const asUtc = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - (at - (at % 1000));
}

/**
 * The instant of a wall-clock time (`2027-01-16T22:00` or with seconds) in `zone`. A time the clocks skip (spring
 * forward) comes out one offset later, as EventBridge Scheduler runs it.
 */
export function instantOf(localDateTime: string, zone: string): Date {
  const [date = '', time = ''] = localDateTime.split('T');
  const [y = 0, mo = 1, d = 1] = date.split('-').map(Number);
  const [h = 0, mi = 0, s = 0] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = wall - offsetAt(wall, zone);
  // Near a change of offset the first guess used the wrong side's offset: correct once with the offset found there.
  return new Date(wall - offsetAt(first, zone));
}
