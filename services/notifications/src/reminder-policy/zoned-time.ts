// Wall-clock arithmetic in IANA time zones with nothing but Intl: a reminder is "09:00 on the
// customer's calendar day", and that instant moves with the zone's offset (DST included).

/** A calendar day without a zone, as in the contract's CalendarDate. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A wall-clock time of day. */
export interface LocalTime {
  readonly hour: number;
  readonly minute: number;
}

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True for a zone name Intl knows ("Asia/Shanghai", "UTC"); false for anything else. */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone to plan in: the customer's if Intl knows it, UTC otherwise. */
export function effectiveTimeZone(timeZone: string | null | undefined): string {
  return timeZone && isValidTimeZone(timeZone) ? timeZone : 'UTC';
}

export interface WallClock extends LocalDate, LocalTime {
  readonly second: number;
}

/** What a clock on the wall in `timeZone` shows at `instant`. */
export function wallClockAt(instant: Date | number, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const value = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return {
    year: value('year'),
    month: value('month'),
    day: value('day'),
    hour: value('hour'),
    minute: value('minute'),
    second: value('second'),
  };
}

/** The zone's offset from UTC at `instant`, in ms (east positive), to the whole second. */
export function offsetAt(instantMs: number, timeZone: string): number {
  const w = wallClockAt(instantMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** `date` moved by `days` calendar days (no zone involved: a calendar day is a calendar day). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/**
 * The instant at which the wall clock in `timeZone` shows `time` on `date`.
 *
 * - A wall time that happens twice (clocks set back) resolves to the first occurrence, so a
 *   reminder goes out at the earlier of the two.
 * - A wall time that does not happen (clocks set forward over it) resolves to the instant the
 *   same length of time after the gap's start, i.e. 02:30 in a 02:00->03:00 gap becomes 03:30:
 *   the reminder is late by the gap, never early and never dropped.
 *
 * Offsets are read a day either side of the target, which holds for every real zone (no zone
 * changes its offset twice within 48 hours).
 */
export function zonedTimeToInstant(date: LocalDate, time: LocalTime, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [...new Set([wall - before, wall - after])].sort((a, b) => a - b);
  const exact = candidates.filter((t) => offsetAt(t, timeZone) === wall - t);
  const [first] = exact;
  if (first !== undefined) return new Date(first);
  // In a gap: read the wall time with the offset that held before it.
  return new Date(wall - before);
}
