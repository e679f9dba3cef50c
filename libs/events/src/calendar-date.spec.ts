import { calendarDate, formatCalendarDate, isValidCalendarDate } from './calendar-date';

describe('calendar dates', () => {
  it('parses and formats ISO dates without a time zone getting involved', () => {
    const date = calendarDate('2025-03-31');
    expect([date.year, date.month, date.day]).toEqual([2025, 3, 31]);
    expect(formatCalendarDate(date)).toBe('2025-03-31');
    expect(formatCalendarDate(calendarDate('0001-01-01'))).toBe('0001-01-01');
  });

  it('knows leap years', () => {
    expect(isValidCalendarDate(2024, 2, 29)).toBe(true);
    expect(isValidCalendarDate(2000, 2, 29)).toBe(true);
    expect(isValidCalendarDate(1900, 2, 29)).toBe(false);
    expect(isValidCalendarDate(2025, 2, 29)).toBe(false);
  });

  it.each([
    '2025-02-30',
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '0000-01-01',
    '2025-3-1',
    '2025-03-31T00:00:00Z',
    '',
  ])('rejects %j', (text) => {
    expect(() => calendarDate(text)).toThrow(RangeError);
  });

  it('refuses to format an impossible date', () => {
    expect(() => formatCalendarDate({ ...calendarDate('2025-01-31'), month: 2 })).toThrow(RangeError);
  });
});
