import { create } from '@bufbuild/protobuf';
import { CalendarDateSchema, type CalendarDate } from './gen/duemap/common/v1/calendar_date_pb';

// Conversions between the contract's CalendarDate and the ISO strings the HTTP API uses.
// They live here, once, because JavaScript's Date invites two classic bugs with due dates:
// zero-based months, and a time zone sneaking in through `new Date('2025-03-31')`.

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

export function isValidCalendarDate(year: number, month: number, day: number): boolean {
  if (![year, month, day].every(Number.isInteger)) return false;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `calendarDate('2025-03-31')`; throws RangeError for anything but a real YYYY-MM-DD date. */
export function calendarDate(isoDate: string): CalendarDate {
  const match = ISO_DATE.exec(isoDate);
  const [year, month, day] = match === null ? [NaN, NaN, NaN] : match.slice(1, 4).map(Number);
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    !isValidCalendarDate(year, month, day)
  ) {
    throw new RangeError(`"${isoDate}" is not an ISO 8601 calendar date (YYYY-MM-DD)`);
  }
  return create(CalendarDateSchema, { year, month, day });
}

/** `'2025-03-31'` for CalendarDate{2025, 3, 31}; throws RangeError for an impossible date. */
export function formatCalendarDate(date: CalendarDate): string {
  const { year, month, day } = date;
  if (!isValidCalendarDate(year, month, day)) {
    throw new RangeError(`${year}-${month}-${day} is not a calendar date`);
  }
  const pad = (value: number, width: number): string => String(value).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}
