import { type Currency, getCurrency } from './currency';
import { MoneyError, MoneyErrorCode } from './money.error';
import { describeValue, quote } from './quote';

/** The wire shape used by every API body and event: `{"amount":"1234.50","currency":"CNY"}`. */
export interface MoneyJson {
  readonly amount: string;
  readonly currency: string;
}

export interface MoneyParseOptions {
  /** Refunds, credit notes and balances may be negative; payments and invoice totals may not. */
  readonly allowNegative?: boolean;
  /** Field named in error messages; defaults to "amount". */
  readonly field?: string;
  /** Field named in currency errors; defaults to "currency". */
  readonly currencyField?: string;
}

/** More integer digits than any receivable plausibly has; also caps the work BigInt() does on hostile input. */
export const MAX_INTEGER_DIGITS = 18;

/**
 * Minor units must fit a signed 64-bit integer so they can be stored in a Postgres `bigint`,
 * carried as protobuf `int64` and summed there without overflow. For 2-decimal currencies this
 * binds before MAX_INTEGER_DIGITS does (92 233 720 368 547 758.07).
 */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

// Only ASCII digits: `\d` would do, but spelling it out documents that full-width and other
// Unicode digits are deliberately not amounts.
const DECIMAL = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

const maxMinorByDigits = new Map<number, bigint>();
function maxMinor(digits: number): bigint {
  let max = maxMinorByDigits.get(digits);
  if (max === undefined) {
    const byDigits = 10n ** BigInt(MAX_INTEGER_DIGITS + digits) - 1n;
    max = byDigits < MAX_MINOR_UNITS ? byDigits : MAX_MINOR_UNITS;
    maxMinorByDigits.set(digits, max);
  }
  return max;
}

function formatMinor(minor: bigint, digits: number): string {
  const sign = minor < 0n ? '-' : '';
  const magnitude = (minor < 0n ? -minor : minor).toString();
  if (digits === 0) return sign + magnitude;
  const padded = magnitude.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** Says which rule a malformed amount broke, because "invalid amount" alone sends people guessing. */
function whyNotDecimal(raw: string): string {
  if (raw === '') return 'it is empty';
  if (raw.trim() !== raw) return 'it has leading or trailing whitespace';
  if (/\s/.test(raw)) return 'it contains whitespace';
  if (raw.startsWith('+')) return 'a leading "+" is not allowed';
  if (/^-?0[xob]/i.test(raw)) return 'hex, octal and binary forms are not allowed';
  if (/^-?[0-9.]+e[+-]?[0-9]+$/i.test(raw)) return 'exponent notation is not allowed';
  if (/^-?[0-9]{1,3}([,'_][0-9]{3})+(\.[0-9]+)?$/.test(raw)) return 'thousands separators are not allowed';
  if (/^-?[0-9]+,[0-9]+$/.test(raw)) return 'the decimal separator must be "."';
  if (/^-?\./.test(raw)) return 'a digit is required before the decimal point';
  if (/\.$/.test(raw)) return 'a digit is required after the decimal point';
  if (/^-?0[0-9]/.test(raw)) return 'leading zeros are not allowed';
  return 'it is not a plain decimal number';
}

function outOfRange(field: string, what: string, currency: Currency): MoneyError {
  const limit = formatMinor(maxMinor(currency.digits), currency.digits);
  return new MoneyError(
    MoneyErrorCode.OUT_OF_RANGE,
    field,
    `${what} is out of range for ${currency.code} (the limit is ±${limit})`,
  );
}

/**
 * An amount of one currency in integer minor units. Immutable: every operation returns a new
 * instance, so a Money held by an entity or an event can never change under it.
 */
export class Money {
  /** Integer minor units (fen for CNY, yen for JPY). Never a float. */
  readonly minor: bigint;
  /** Uppercase ISO 4217 code. */
  readonly currency: string;
  /** Minor-unit digits of `currency`. */
  readonly digits: number;
  // Kept so that arithmetic does not look the currency up again; a private field stays out of
  // equality checks and serialisation.
  readonly #info: Currency;

  private constructor(minor: bigint, currency: Currency) {
    this.minor = minor;
    this.#info = currency;
    this.currency = currency.code;
    this.digits = currency.digits;
    Object.freeze(this);
  }

  /**
   * Parses a decimal string such as "1234.50". Fewer decimals than the currency has are fine
   * ("0.5" CNY is 50 fen); more are rejected, never rounded, because rounding would silently
   * change what a customer owes.
   *
   * A minus sign, even on zero ("-0.00"), needs `allowNegative`: where only non-negative amounts
   * make sense, a sign means the sender got something wrong. With `allowNegative` "-0.00" is
   * simply zero (bigint has no negative zero).
   */
  static of(amount: string, currency: string, options: MoneyParseOptions = {}): Money {
    const field = options.field ?? 'amount';
    const resolved = getCurrency(currency, options.currencyField ?? 'currency');
    // The type says string, but amounts arrive from JSON bodies and decoded events where a
    // number is one careless client away; a float must never slip in.
    const raw: unknown = amount;
    if (typeof raw !== 'string') {
      throw new MoneyError(
        MoneyErrorCode.INVALID_AMOUNT,
        field,
        `expected a decimal string such as ${quote(formatMinor(123450n, resolved.digits))}, got ${describeValue(raw)}`,
      );
    }
    const match = DECIMAL.exec(raw);
    if (match === null) {
      throw new MoneyError(
        MoneyErrorCode.INVALID_AMOUNT,
        field,
        `${quote(raw)} is not a valid amount: ${whyNotDecimal(raw)} (expected e.g. ${quote(formatMinor(123450n, resolved.digits))})`,
      );
    }
    const [, sign = '', integer = '', fraction = ''] = match;
    if (fraction.length > resolved.digits) {
      const allowed = resolved.digits === 0 ? 'none' : String(resolved.digits);
      throw new MoneyError(
        MoneyErrorCode.TOO_MANY_DECIMALS,
        field,
        `${quote(raw)} has ${fraction.length} decimal${fraction.length === 1 ? '' : 's'} but ${resolved.code} allows ${allowed}`,
      );
    }
    if (integer.length > MAX_INTEGER_DIGITS) throw outOfRange(field, quote(raw), resolved);
    const magnitude = BigInt(integer + fraction.padEnd(resolved.digits, '0'));
    if (magnitude > maxMinor(resolved.digits)) throw outOfRange(field, quote(raw), resolved);
    if (sign === '-' && options.allowNegative !== true) {
      throw new MoneyError(
        MoneyErrorCode.NEGATIVE_NOT_ALLOWED,
        field,
        `${quote(raw)} has a minus sign but negative amounts are not allowed here`,
      );
    }
    return new Money(sign === '-' ? -magnitude : magnitude, resolved);
  }

  /** Reads the wire shape; the same rules as `of`. */
  static fromJSON(json: MoneyJson, options: MoneyParseOptions = {}): Money {
    return Money.of(json.amount, json.currency, options);
  }

  /** From integer minor units, e.g. a `bigint` column. May be negative. */
  static fromMinor(minor: bigint, currency: string): Money {
    const resolved = getCurrency(currency);
    const raw: unknown = minor;
    if (typeof raw !== 'bigint') {
      throw new MoneyError(
        MoneyErrorCode.INVALID_AMOUNT,
        'amount',
        `expected integer minor units as a bigint, got ${describeValue(raw)}`,
      );
    }
    if (raw > maxMinor(resolved.digits) || raw < -maxMinor(resolved.digits)) {
      throw outOfRange('amount', `${raw.toString()} minor units`, resolved);
    }
    return new Money(raw, resolved);
  }

  static zero(currency: string): Money {
    return new Money(0n, getCurrency(currency));
  }

  /** Throws CURRENCY_MISMATCH unless all share one currency. */
  static min(first: Money, ...rest: readonly Money[]): Money {
    return rest.reduce((low, next) => (next.compare(low) < 0 ? next : low), first);
  }

  /** Throws CURRENCY_MISMATCH unless all share one currency. */
  static max(first: Money, ...rest: readonly Money[]): Money {
    return rest.reduce((high, next) => (next.compare(high) > 0 ? next : high), first);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other, 'add');
    return this.withMinor(this.minor + other.minor, 'the sum');
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other, 'subtract');
    return this.withMinor(this.minor - other.minor, 'the difference');
  }

  negate(): Money {
    // The range is symmetric, so negation cannot leave it.
    return new Money(-this.minor, this.#info);
  }

  /** -1, 0 or 1. Ordering amounts of different currencies is meaningless, so that throws. */
  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other, 'compare');
    if (this.minor === other.minor) return 0;
    return this.minor < other.minor ? -1 : 1;
  }

  /**
   * Value equality. Unlike `compare` this does not throw on different currencies: "is 100 CNY
   * the same value as 100 USD?" has a well-defined answer, and it is no.
   */
  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  isZero(): boolean {
    return this.minor === 0n;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  isPositive(): boolean {
    return this.minor > 0n;
  }

  /** Exactly `digits` decimals, never exponent notation: "1234.50", "-0.05", JPY "100". */
  toDecimalString(): string {
    return formatMinor(this.minor, this.digits);
  }

  toJSON(): MoneyJson {
    return { amount: this.toDecimalString(), currency: this.currency };
  }

  /** For logs and messages: "1234.50 CNY". */
  toString(): string {
    return `${this.toDecimalString()} ${this.currency}`;
  }

  private withMinor(minor: bigint, what: string): Money {
    const limit = maxMinor(this.digits);
    if (minor > limit || minor < -limit) throw outOfRange('amount', what, this.#info);
    return new Money(minor, this.#info);
  }

  private assertSameCurrency(other: Money, operation: 'add' | 'subtract' | 'compare'): void {
    if (other.currency !== this.currency) {
      throw new MoneyError(
        MoneyErrorCode.CURRENCY_MISMATCH,
        'currency',
        `cannot ${operation} ${other.currency} and ${this.currency}; mixed currencies are never combined without an explicit rate`,
      );
    }
  }
}

/**
 * Sums amounts that must all be in `currency`. The currency is a parameter rather than taken
 * from the first item so that an empty list still has a well-defined total (zero) and a list
 * that is entirely in the wrong currency is caught, not silently accepted.
 */
export function sumMoney(list: Iterable<Money>, currency: string): Money {
  let total = Money.zero(currency);
  let index = 0;
  for (const item of list) {
    if (item.currency !== total.currency) {
      throw new MoneyError(
        MoneyErrorCode.CURRENCY_MISMATCH,
        'currency',
        `cannot sum item ${index} in ${item.currency} into a ${total.currency} total; mixed currencies are never summed without an explicit rate`,
      );
    }
    total = total.add(item);
    index += 1;
  }
  return total;
}
