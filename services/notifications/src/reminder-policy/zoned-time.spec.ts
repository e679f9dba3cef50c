import fc from 'fast-check';
import {
  addDays,
  effectiveTimeZone,
  isValidTimeZone,
  offsetAt,
  wallClockAt,
  zonedTimeToInstant,
  type LocalDate,
  type LocalTime,
} from './zoned-time';

const iso = (d: Date): string => d.toISOString();
const date = (s: string): LocalDate => {
  const [year, month, day] = s.split('-').map(Number) as [number, number, number];
  return { year, month, day };
};
const nine: LocalTime = { hour: 9, minute: 0 };

describe('zonedTimeToInstant', () => {
  it.each([
    ['UTC', '2025-03-31', '2025-03-31T09:00:00.000Z'],
    ['Asia/Shanghai', '2025-03-31', '2025-03-31T01:00:00.000Z'],
    ['Asia/Kathmandu', '2025-03-31', '2025-03-31T03:15:00.000Z'],
    ['America/St_Johns', '2025-01-15', '2025-01-15T12:30:00.000Z'],
    // 09:00 at UTC+14 is still the previous UTC day; at UTC-11 it is the same day's evening.
    ['Pacific/Kiritimati', '2025-01-01', '2024-12-31T19:00:00.000Z'],
    ['Pacific/Pago_Pago', '2025-01-01', '2025-01-01T20:00:00.000Z'],
    ['Pacific/Chatham', '2025-01-15', '2025-01-14T19:15:00.000Z'],
  ])('09:00 in %s on %s is %s', (zone, day, expected) => {
    expect(iso(zonedTimeToInstant(date(day), nine, zone))).toBe(expected);
  });

  it('follows daylight saving time on both sides of the switch (America/New_York)', () => {
    expect(iso(zonedTimeToInstant(date('2025-03-08'), nine, 'America/New_York'))).toBe(
      '2025-03-08T14:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant(date('2025-03-09'), nine, 'America/New_York'))).toBe(
      '2025-03-09T13:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant(date('2025-11-01'), nine, 'America/New_York'))).toBe(
      '2025-11-01T13:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant(date('2025-11-02'), nine, 'America/New_York'))).toBe(
      '2025-11-02T14:00:00.000Z',
    );
  });

  it('follows the southern hemisphere switch (Australia/Sydney, 2025-04-06 and 2025-10-05)', () => {
    expect(iso(zonedTimeToInstant(date('2025-04-05'), nine, 'Australia/Sydney'))).toBe(
      '2025-04-04T22:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant(date('2025-04-06'), nine, 'Australia/Sydney'))).toBe(
      '2025-04-05T23:00:00.000Z',
    );
    expect(iso(zonedTimeToInstant(date('2025-10-05'), nine, 'Australia/Sydney'))).toBe(
      '2025-10-04T22:00:00.000Z',
    );
  });

  it('moves a wall time inside a spring-forward gap later by the gap (Europe/Berlin 02:30)', () => {
    const at = zonedTimeToInstant(date('2025-03-30'), { hour: 2, minute: 30 }, 'Europe/Berlin');
    expect(iso(at)).toBe('2025-03-30T01:30:00.000Z');
    expect(wallClockAt(at, 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 30 });
  });

  it('takes the first of a wall time that happens twice (Europe/Berlin 02:30 on 2025-10-26)', () => {
    expect(iso(zonedTimeToInstant(date('2025-10-26'), { hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe(
      '2025-10-26T00:30:00.000Z',
    );
  });

  it('handles zones that switch at midnight (America/Santiago: 00:30 on 2025-09-07 does not exist)', () => {
    const at = zonedTimeToInstant(date('2025-09-07'), { hour: 0, minute: 30 }, 'America/Santiago');
    expect(wallClockAt(at, 'America/Santiago')).toMatchObject({
      year: 2025,
      month: 9,
      day: 7,
      hour: 1,
      minute: 30,
    });
    expect(iso(zonedTimeToInstant(date('2025-09-07'), nine, 'America/Santiago'))).toBe(
      '2025-09-07T12:00:00.000Z',
    );
  });

  it('handles a day that a zone skipped altogether (Pacific/Apia, 2011-12-30)', () => {
    const at = zonedTimeToInstant(date('2011-12-30'), nine, 'Pacific/Apia');
    expect(wallClockAt(at, 'Pacific/Apia')).toMatchObject({
      year: 2011,
      month: 12,
      day: 31,
      hour: 9,
      minute: 0,
    });
  });

  it('handles half-hour daylight saving (Australia/Lord_Howe 02:15 on 2025-10-05)', () => {
    const at = zonedTimeToInstant(date('2025-10-05'), { hour: 2, minute: 15 }, 'Australia/Lord_Howe');
    expect(wallClockAt(at, 'Australia/Lord_Howe')).toMatchObject({ hour: 2, minute: 45 });
  });
});

describe('addDays', () => {
  it.each([
    ['2025-03-31', -3, '2025-03-28'],
    ['2025-03-01', -1, '2025-02-28'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2025-01-31', 30, '2025-03-02'],
  ])('%s plus %i days is %s', (from, days, expected) => {
    const d = addDays(date(from), days);
    expect(`${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`).toBe(expected);
  });
});

describe('time zone names', () => {
  it('knows IANA zones and refuses anything else', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('+08:00 ')).toBe(false);
  });

  it('plans in UTC when the zone is unknown', () => {
    expect(effectiveTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(effectiveTimeZone('Nowhere/Land')).toBe('UTC');
    expect(effectiveTimeZone('')).toBe('UTC');
    expect(effectiveTimeZone(null)).toBe('UTC');
    expect(effectiveTimeZone(undefined)).toBe('UTC');
  });
});

// Zones with DST in either hemisphere, odd offsets, midnight switches, the date line, and a
// zone that skipped a whole day (Apia, 2011).
const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Pacific/Apia',
  'Asia/Kathmandu',
  'Asia/Tehran',
  'America/Santiago',
  'America/Sao_Paulo',
  'America/Havana',
  'America/St_Johns',
  'Africa/Casablanca',
];

const DAY_MS = 86_400_000;
const localDate = fc
  .integer({ min: 0, max: 60 * 366 })
  .map((n) => addDays({ year: 2000, month: 1, day: 1 }, n));
const localTime = fc.record({
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
});
const wallMs = (d: LocalDate, t: LocalTime): number => Date.UTC(d.year, d.month - 1, d.day, t.hour, t.minute);
const wallOf = (instant: Date, zone: string): number => {
  const w = wallClockAt(instant, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
};

describe('zonedTimeToInstant (properties)', () => {
  it('shows the asked wall time, or, in a gap, that time moved by exactly the gap', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), localDate, localTime, (zone, d, t) => {
        const at = zonedTimeToInstant(d, t, zone);
        const shown = wallOf(at, zone);
        const target = wallMs(d, t);
        if (shown === target) return;
        // Not shown: only legitimate when the clocks jumped forward over it that day.
        const gap = offsetAt(at.getTime(), zone) - offsetAt(at.getTime() - DAY_MS, zone);
        expect(gap).toBeGreaterThan(0);
        expect(shown).toBe(target + gap);
      }),
      { numRuns: 3000 },
    );
  });

  it('picks the first occurrence of a wall time that happens twice', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), localDate, localTime, (zone, d, t) => {
        const at = zonedTimeToInstant(d, t, zone).getTime();
        const fallBack = offsetAt(at - DAY_MS, zone) - offsetAt(at + DAY_MS, zone);
        if (fallBack <= 0) return;
        // The other occurrence (if any) is `fallBack` earlier; it must not show the same time.
        expect(wallOf(new Date(at - fallBack), zone)).not.toBe(wallOf(new Date(at), zone));
      }),
      { numRuns: 3000 },
    );
  });

  it('puts 09:00 on the asked calendar day in every zone that has a 09:00 that day', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES.filter((z) => z !== 'Pacific/Apia')), localDate, (zone, d) => {
        const w = wallClockAt(zonedTimeToInstant(d, nine, zone), zone);
        expect(w).toEqual({ ...d, hour: 9, minute: 0, second: 0 });
      }),
      { numRuns: 3000 },
    );
  });
});
