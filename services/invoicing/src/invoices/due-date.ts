// "Overdue starts the day after the due date in the customer's time zone" (DESIGN.md, Money and
// time). Due dates are calendar dates ('YYYY-MM-DD' strings here, never Date objects: a Date
// would drag a time zone in); only "now" is an instant. ISO dates compare correctly as strings.

export const DEFAULT_TIME_ZONE = 'UTC';

const DAY_MS = 86_400_000;
// Every UTC offset in use lies within -12:00..+14:00; the bounds leave room for LMT oddities.
const EARLIEST_OFFSET_MS = 15 * 3_600_000;
const LATEST_OFFSET_MS = 13 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The canonical IANA name of a time zone ('asia/shanghai' -> 'Asia/Shanghai'), or undefined when
 * this runtime does not know it. Empty means "not given" and yields the default.
 */
export function canonicalTimeZone(timeZone: string | undefined): string | undefined {
  if (timeZone === undefined || timeZone.trim() === '') return DEFAULT_TIME_ZONE;
  // Building an Intl.DateTimeFormat costs tens of microseconds, and this runs for every
  // customer-upserted event; the answers for the few zones in use are kept (unknown ones too).
  if (canonicalNames.has(timeZone)) return canonicalNames.get(timeZone);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  if (canonicalNames.size < MAX_REMEMBERED_ZONES) canonicalNames.set(timeZone, canonical);
  return canonical;
}

// Zone names come from outside (ERP data): remember a bounded number of spellings.
const MAX_REMEMBERED_ZONES = 1000;
const canonicalNames = new Map<string, string | undefined>();

/** The calendar date ('YYYY-MM-DD') that `instant` falls on in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True from the first instant of the day after `dueDate` in `timeZone`: due today is not overdue. */
export function isPastDue(dueDate: string, now: Date, timeZone: string): boolean {
  return localDate(now, timeZone) > dueDate;
}

/** The first overdue day: the day after the due date. */
export function overdueSince(dueDate: string): string {
  return addDays(dueDate, 1);
}

/**
 * The instant an invoice due on `dueDate` becomes overdue: the first instant whose local date in
 * `timeZone` is after the due date. Stored on the invoice so the scheduled scan is a plain
 * indexed `overdue_at <= now()`. Found by bisection rather than from an offset, so a day that
 * starts at 01:00 (DST switched at midnight, e.g. America/Santiago) still gets its real start.
 */
export function overdueStartsAt(dueDate: string, timeZone: string): Date {
  const [year, month, day] = overdueSince(dueDate).split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(year, month - 1, day);
  const target = overdueSince(dueDate);
  let before = midnightUtc - EARLIEST_OFFSET_MS; // local date still <= dueDate
  let after = midnightUtc + LATEST_OFFSET_MS; // local date already > dueDate
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (localDate(new Date(middle), timeZone) >= target) after = middle;
    else before = middle;
  }
  return new Date(after);
}
