import { data as iso4217 } from 'currency-codes';

import { MoneyError, MoneyErrorCode } from './money.error';
import { describeValue, quote } from './quote';

export interface Currency {
  /** ISO 4217 alphabetic code, always uppercase, e.g. "CNY". */
  readonly code: string;
  /** ISO 4217 numeric code, e.g. "156". */
  readonly number: string;
  /** Minor-unit digits: 2 for CNY, 0 for JPY, 3 for KWD, 4 for UYW. */
  readonly digits: number;
  readonly name: string;
}

/**
 * Codes in ISO 4217 list one that are not money an invoice can be issued in. We reject them
 * rather than guess, because a wrong digit count silently corrupts every amount.
 *
 * - Minor units "N.A." in ISO 4217: precious metals, bond-market units, SDR, SUCRE, ADB unit,
 *   the testing code and "no currency". `currency-codes` reports these as 0 digits, which is
 *   not true (there is no minor unit at all), so its number cannot be trusted for them.
 * - Funds codes (`IsFund="true"` in the ISO list): indexation and settlement units such as
 *   Chile's Unidad de Fomento or the US next-day dollar. They are valued against the real
 *   currency and would need a rate; AR ledgers book the national currency instead.
 *
 * `currency.spec.ts` checks both lists against the XML that ships with `currency-codes`, so an
 * upgrade that changes ISO's list fails a test instead of drifting.
 */
export const NON_CURRENCY_CODES: ReadonlySet<string> = new Set([
  'XAG',
  'XAU',
  'XBA',
  'XBB',
  'XBC',
  'XBD',
  'XDR',
  'XPD',
  'XPT',
  'XSU',
  'XTS',
  'XUA',
  'XXX',
]);
export const FUNDS_CODES: ReadonlySet<string> = new Set([
  'BOV',
  'CHE',
  'CHW',
  'CLF',
  'COU',
  'MXV',
  'USN',
  'UYI',
]);

const CODE_PATTERN = /^[A-Z]{3}$/;

// `currency-codes` holds only ISO 4217 list one (current codes), so every entry left after the
// exclusions above is an active currency; withdrawn codes (HRK, SLL, ...) are simply absent.
const SUPPORTED: ReadonlyMap<string, Currency> = new Map(
  iso4217
    .filter((record) => !NON_CURRENCY_CODES.has(record.code) && !FUNDS_CODES.has(record.code))
    .map((record): [string, Currency] => [
      record.code,
      Object.freeze({
        code: record.code,
        number: record.number,
        digits: record.digits,
        name: record.currency,
      }),
    ]),
);

export function isSupportedCurrency(code: unknown): code is string {
  return typeof code === 'string' && SUPPORTED.has(code);
}

/** Every currency `Money` accepts, sorted by code. */
export function supportedCurrencies(): readonly Currency[] {
  return [...SUPPORTED.values()].sort((a, b) => a.code.localeCompare(b.code));
}

/**
 * Looks up a currency by its uppercase ISO 4217 code. Lowercase is refused rather than
 * normalised: events and API bodies must carry one canonical spelling so that equality checks
 * and map keys elsewhere never need to remember to uppercase.
 */
export function getCurrency(code: unknown, field = 'currency'): Currency {
  if (typeof code !== 'string') {
    throw new MoneyError(
      MoneyErrorCode.UNKNOWN_CURRENCY,
      field,
      `expected an ISO 4217 currency code string, got ${describeValue(code)}`,
    );
  }
  const shown = quote(code);
  if (!CODE_PATTERN.test(code)) {
    throw new MoneyError(
      MoneyErrorCode.UNKNOWN_CURRENCY,
      field,
      `${shown} is not an ISO 4217 currency code (expected 3 uppercase letters, e.g. "CNY")`,
    );
  }
  if (NON_CURRENCY_CODES.has(code)) {
    throw new MoneyError(
      MoneyErrorCode.UNSUPPORTED_CURRENCY,
      field,
      `${shown} is an ISO 4217 code for a commodity or unit of account, not a currency`,
    );
  }
  if (FUNDS_CODES.has(code)) {
    throw new MoneyError(
      MoneyErrorCode.UNSUPPORTED_CURRENCY,
      field,
      `${shown} is an ISO 4217 funds code; book the amount in the national currency instead`,
    );
  }
  const currency = SUPPORTED.get(code);
  if (currency === undefined) {
    throw new MoneyError(
      MoneyErrorCode.UNKNOWN_CURRENCY,
      field,
      `${shown} is not an active ISO 4217 currency code`,
    );
  }
  return currency;
}
