import { isMoneyError, Money, MoneyErrorCode } from '@duemap/money';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';

/** Where a value was read, for the error that names it. */
export interface At {
  line?: number;
  column?: number;
  path?: string;
}

function fail(code: StatementErrorCode, detail: string, at: At): never {
  throw new StatementParseError(code, detail, at.line, at.column, at.path);
}

/**
 * A positive amount as the bank wrote it, exactly: "1234.50" (camt), "1234,50" / "65," /
 * "000000000127,50" (MT940, `decimalComma`). Thousands separators are the CSV reader's to remove.
 * Never a float: the digits go to Money as a string.
 */
export function parseAmount(raw: string, currency: string, at: At, decimalComma = false): Money {
  const text = raw.trim();
  const pattern = decimalComma ? /^([0-9]+),([0-9]*)$/ : /^([0-9]+)(?:\.([0-9]+))?$/;
  const match = pattern.exec(text);
  if (!match) {
    const expected = decimalComma
      ? 'digits with a decimal comma, e.g. 1234,50'
      : 'a decimal number, e.g. 1234.50';
    fail(StatementErrorCode.InvalidAmount, `amount "${text}" is not ${expected}`, at);
  }
  const integer = (match[1] ?? '').replace(/^0+(?=[0-9])/, '');
  let fraction = match[2] ?? '';
  const currencyCode = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(currencyCode)) {
    fail(StatementErrorCode.InvalidCurrency, `currency "${currency}" is not an ISO 4217 code`, at);
  }
  try {
    // Banks pad decimals ("10.500", "1,0000"): trailing zeros beyond the currency's digits carry
    // no value and are dropped; a non-zero digit there is refused by Money rather than rounded.
    const digits = Money.zero(currencyCode).digits;
    while (fraction.length > digits && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
    return Money.of(fraction ? `${integer}.${fraction}` : integer, currencyCode);
  } catch (err) {
    if (
      isMoneyError(err, MoneyErrorCode.UNKNOWN_CURRENCY) ||
      isMoneyError(err, MoneyErrorCode.UNSUPPORTED_CURRENCY)
    ) {
      fail(
        StatementErrorCode.InvalidCurrency,
        `currency "${currencyCode}" is not a known ISO 4217 currency`,
        at,
      );
    }
    if (isMoneyError(err)) fail(StatementErrorCode.InvalidAmount, `amount "${text}": ${err.message}`, at);
    throw err;
  }
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO date or date-time ("2014-01-03", "2014-01-03T10:15:00+01:00") as its calendar date. */
export function parseIsoDate(raw: string, at: At): string {
  const text = raw.trim();
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:$|T)/.exec(text);
  if (!match || !isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    fail(StatementErrorCode.InvalidDate, `date "${text}" is not a calendar date YYYY-MM-DD`, at);
  }
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/**
 * A SWIFT YYMMDD date. Years 00-79 are 20xx, 80-99 19xx: statements are recent, and the window
 * keeps 1980s test files readable.
 */
export function parseYymmdd(raw: string, at: At): string {
  const match = /^([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(raw);
  if (!match) fail(StatementErrorCode.InvalidDate, `date "${raw}" is not YYMMDD`, at);
  const yy = Number(match[1]);
  const year = yy < 80 ? 2000 + yy : 1900 + yy;
  if (!isCalendarDate(year, Number(match[2]), Number(match[3]))) {
    fail(StatementErrorCode.InvalidDate, `date "${raw}" is not a calendar date`, at);
  }
  return `${year}-${match[2]}-${match[3]}`;
}

/**
 * The booking date of a :61: line given as MMDD next to the value date: the same year, or the
 * next/previous one when it crosses New Year (value 31 Dec, booked 2 Jan).
 */
export function entryDateNear(valueDate: string, mmdd: string, at: At): string {
  const year = Number(valueDate.slice(0, 4));
  const valueMonth = Number(valueDate.slice(5, 7));
  const month = Number(mmdd.slice(0, 2));
  let entryYear = year;
  if (valueMonth === 12 && month === 1) entryYear = year + 1;
  else if (valueMonth === 1 && month === 12) entryYear = year - 1;
  const day = Number(mmdd.slice(2, 4));
  if (!isCalendarDate(entryYear, month, day)) {
    fail(StatementErrorCode.InvalidDate, `entry date "${mmdd}" is not a calendar date`, at);
  }
  return `${entryYear}-${mmdd.slice(0, 2)}-${mmdd.slice(2, 4)}`;
}

/** Looks like an IBAN: country, check digits, 11-30 alphanumerics (spaces removed). */
export function isIban(value: string): boolean {
  return /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(value.replace(/\s+/g, ''));
}

/** Bytes of a chunk, whatever the source gives. */
export function chunkBytes(chunk: Buffer | Uint8Array | string): Buffer {
  return typeof chunk === 'string'
    ? Buffer.from(chunk, 'utf8')
    : Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk);
}
