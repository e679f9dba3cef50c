import fc from 'fast-check';
import { addDays, canonicalTimeZone, isPastDue, localDate, overdueSince, overdueStartsAt } from './due-date';

// Zones chosen for their edges: the extremes of the offset range, half- and quarter-hour
// offsets, DST in both hemispheres, and zones whose DST switch happens at midnight.
const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Europe/London',
  'Pacific/Kiritimati', // +14
  'Pacific/Pago_Pago', // -11
  'Etc/GMT+12', // -12
  'Asia/Kolkata', // +05:30
  'Asia/Kathmandu', // +05:45
  'Australia/Lord_Howe', // 30-minute DST
  'America/Santiago', // DST switches at midnight
  'America/Havana', // DST switches at midnight
  'America/Sao_Paulo',
] as const;

const zone = fc.constantFrom(...ZONES);
// 2000..2040, whole milliseconds.
const instant = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
  .map((ms) => new Date(ms));
const calendarDay = fc
  .integer({ min: 0, max: 365 * 40 })
  .map((days) => new Date(Date.UTC(2000, 0, 1) + days * 86_400_000).toISOString().slice(0, 10));

describe('the overdue date rule', () => {
  it('is not overdue on the due date itself, anywhere, at any time of that day', () => {
    fc.assert(
      fc.property(instant, zone, (now, timeZone) => {
        const today = localDate(now, timeZone);
        expect(isPastDue(today, now, timeZone)).toBe(false);
        expect(isPastDue(addDays(today, 1), now, timeZone)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('is overdue when the due date was yesterday (or earlier) in the customer time zone', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 1, max: 400 }), (now, timeZone, daysAgo) => {
        expect(isPastDue(addDays(localDate(now, timeZone), -daysAgo), now, timeZone)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('turns overdue exactly at the first instant of the day after the due date, not a millisecond before', () => {
    fc.assert(
      fc.property(
        calendarDay,
        zone,
        fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }),
        (due, timeZone, delta) => {
          const start = overdueStartsAt(due, timeZone);
          expect(localDate(start, timeZone)).toBe(overdueSince(due));
          expect(localDate(new Date(start.getTime() - 1), timeZone)).toBe(due);
          expect(isPastDue(due, start, timeZone)).toBe(true);
          expect(isPastDue(due, new Date(start.getTime() - 1), timeZone)).toBe(false);
          expect(isPastDue(due, new Date(start.getTime() + delta), timeZone)).toBe(delta >= 0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees with the stored overdue instant the scan uses, around any local midnight', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: -3, max: 3 }), (now, timeZone, shift) => {
        const due = addDays(localDate(now, timeZone), shift);
        expect(isPastDue(due, now, timeZone)).toBe(now.getTime() >= overdueStartsAt(due, timeZone).getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('draws the day boundary in the customer zone, so one instant is overdue in Shanghai and not in New York', () => {
    const now = new Date('2025-04-01T02:00:00Z'); // 10:00 on 1 April in Shanghai, 22:00 on 31 March in New York
    expect(isPastDue('2025-03-31', now, 'Asia/Shanghai')).toBe(true);
    expect(isPastDue('2025-03-31', now, 'America/New_York')).toBe(false);
    expect(isPastDue('2025-03-31', now, 'UTC')).toBe(true);
  });

  it.each([
    ['Asia/Shanghai', '2025-03-31', '2025-03-31T16:00:00.000Z'],
    ['UTC', '2025-03-31', '2025-04-01T00:00:00.000Z'],
    ['America/New_York', '2025-03-08', '2025-03-09T05:00:00.000Z'], // the DST night itself starts at -05
    ['America/New_York', '2025-03-09', '2025-03-10T04:00:00.000Z'],
    ['Pacific/Kiritimati', '2025-03-31', '2025-03-31T10:00:00.000Z'],
    ['Etc/GMT+12', '2025-03-31', '2025-04-01T12:00:00.000Z'],
    ['Asia/Kathmandu', '2025-03-31', '2025-03-31T18:15:00.000Z'],
    // Chile skipped 00:00-01:00 on 2024-09-08: that day began at 01:00 local (-03), 04:00Z.
    ['America/Santiago', '2024-09-07', '2024-09-08T04:00:00.000Z'],
  ])('in %s an invoice due %s turns overdue at %s', (timeZone, due, expected) => {
    expect(overdueStartsAt(due, timeZone).toISOString()).toBe(expected);
  });

  it('counts calendar days across month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(overdueSince('2025-03-31')).toBe('2025-04-01');
  });
});

describe('canonicalTimeZone', () => {
  it('defaults an empty zone to UTC, canonicalises known ones and refuses unknown ones', () => {
    expect(canonicalTimeZone('')).toBe('UTC');
    expect(canonicalTimeZone(undefined)).toBe('UTC');
    expect(canonicalTimeZone('asia/shanghai')).toBe('Asia/Shanghai');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeUndefined();
  });
});
