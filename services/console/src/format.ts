import type { Money } from './api/types';

/** BCP 47 locale of the console's languages, for Intl. */
export function localeOf(language: string): string {
  return language.startsWith('zh') ? 'zh-CN' : 'en-GB';
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * A decimal-string amount in its currency, per locale (¥1,234.50 / CN¥1,234.50). The string is
 * handed to Intl as it is: Intl formats a numeric string exactly, without going through a float.
 */
export function formatMoney(money: Money, locale: string): string {
  const key = `${locale}|${money.currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    } catch {
      format = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 });
    }
    moneyFormats.set(key, format);
  }
  return format.format(money.amount as unknown as number);
}

export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** A calendar date (YYYY-MM-DD) as the locale writes it, without a time zone shifting the day. */
export function formatDate(isoDate: string, locale: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  if (!y || !m || !d) return isoDate;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

export function formatTime(date: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(date);
}

/** A moment (ISO 8601) as the locale writes its day, in the browser's time zone. */
export function formatDay(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

/** 0..1 as a whole percentage (0.87 → 87%). */
export function formatPercent(share: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
