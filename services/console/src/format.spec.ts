import { formatDate, formatMoney, localeOf } from './format';

describe('console formatting', () => {
  it('formats a decimal-string amount exactly, per locale and currency', () => {
    expect(formatMoney({ amount: '1234.50', currency: 'CNY' }, 'zh-CN')).toBe('¥1,234.50');
    expect(formatMoney({ amount: '1234.50', currency: 'CNY' }, 'en-GB')).toBe('CN¥1,234.50');
    expect(formatMoney({ amount: '9007199254740993.01', currency: 'USD' }, 'en-GB')).toBe(
      'US$9,007,199,254,740,993.01',
    );
  });

  it('writes a calendar date in the locale, the same day whatever the time zone', () => {
    expect(formatDate('2026-12-01', 'zh-CN')).toBe('2026年12月1日');
    expect(formatDate('2026-12-01', 'en-GB')).toBe('1 Dec 2026');
  });

  it('takes Chinese for any zh browser language, English otherwise', () => {
    expect(localeOf('zh-TW')).toBe('zh-CN');
    expect(localeOf('en-US')).toBe('en-GB');
  });
});
