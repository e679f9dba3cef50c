import fc from 'fast-check';

import { type Currency, supportedCurrencies } from './currency';
import { MAX_MINOR_UNITS, Money, sumMoney } from './money';
import { MoneyError, MoneyErrorCode } from './money.error';

const currencies = supportedCurrencies();
// One representative per digit count, so every branch of the formatter is exercised in each run
// rather than depending on which currencies the generator happens to draw.
const byDigits = [0, 2, 3, 4].map((digits) => {
  const found = currencies.find((c) => c.digits === digits);
  if (found === undefined) throw new Error(`no supported currency with ${digits} digits`);
  return found;
});

const anyCurrency = fc.constantFrom(...currencies);

function limitFor(currency: Currency): bigint {
  const byDigits = 10n ** BigInt(18 + currency.digits) - 1n;
  return byDigits < MAX_MINOR_UNITS ? byDigits : MAX_MINOR_UNITS;
}

/** Money anywhere in the valid range, scaled down by `divisor` so sums of `divisor` items cannot overflow. */
function moneyIn(currency: Currency, divisor = 1n): fc.Arbitrary<Money> {
  const bound = limitFor(currency) / divisor;
  return fc.bigInt({ min: -bound, max: bound }).map((minor) => Money.fromMinor(minor, currency.code));
}

const pairInSameCurrency = anyCurrency.chain((c) => fc.tuple(moneyIn(c, 2n), moneyIn(c, 2n)));
const tripleInSameCurrency = anyCurrency.chain((c) =>
  fc.tuple(moneyIn(c, 3n), moneyIn(c, 3n), moneyIn(c, 3n)),
);

function expectMoneyError(fn: () => unknown, code: MoneyErrorCode): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MoneyError);
    expect((error as MoneyError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('Money properties', () => {
  describe.each(byDigits)('round trip for $code ($digits digits)', (currency) => {
    it('of(toDecimalString(m)) equals m', () => {
      fc.assert(
        fc.property(moneyIn(currency), (money) => {
          const text = money.toDecimalString();
          const parsed = Money.of(text, currency.code, { allowNegative: true });
          expect(parsed.equals(money)).toBe(true);
          expect(parsed.toDecimalString()).toBe(text);
        }),
      );
    });

    it('toJSON / fromJSON round-trips through JSON text', () => {
      fc.assert(
        fc.property(moneyIn(currency), (money) => {
          const json: unknown = JSON.parse(JSON.stringify(money));
          const parsed = Money.fromJSON(json as { amount: string; currency: string }, {
            allowNegative: true,
          });
          expect(parsed.equals(money)).toBe(true);
        }),
      );
    });

    it('toDecimalString has exactly `digits` decimals and never an exponent', () => {
      const shape =
        currency.digits === 0
          ? /^-?(0|[1-9][0-9]*)$/
          : new RegExp(`^-?(0|[1-9][0-9]*)\\.[0-9]{${currency.digits}}$`);
      fc.assert(
        fc.property(moneyIn(currency), (money) => {
          const text = money.toDecimalString();
          expect(text).toMatch(shape);
          expect(text).not.toMatch(/e/i);
          expect(text === '-0' || text.startsWith('-0.' + '0'.repeat(currency.digits))).toBe(false);
        }),
      );
    });

    it('any well-formed string within the digits parses to the value it spells', () => {
      const wellFormed = fc
        .tuple(
          fc.boolean(),
          fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,14}$/)),
          fc.stringMatching(new RegExp(`^[0-9]{0,${currency.digits}}$`)),
        )
        .map(([negative, integer, fraction]) => ({
          text: `${negative ? '-' : ''}${integer}${fraction === '' ? '' : `.${fraction}`}`,
          minor: (negative ? -1n : 1n) * BigInt(integer + fraction.padEnd(currency.digits, '0')),
        }));
      fc.assert(
        fc.property(wellFormed, ({ text, minor }) => {
          expect(Money.of(text, currency.code, { allowNegative: true }).minor).toBe(minor);
        }),
      );
    });

    it('more decimals than the currency allows are always rejected, even trailing zeros', () => {
      const tooPrecise = fc
        .tuple(
          fc.stringMatching(/^(0|[1-9][0-9]{0,10})$/),
          fc.stringMatching(new RegExp(`^[0-9]{${currency.digits + 1},${currency.digits + 8}}$`)),
        )
        .map(([integer, fraction]) => `${integer}.${fraction}`);
      fc.assert(
        fc.property(tooPrecise, (text) =>
          expectMoneyError(() => Money.of(text, currency.code), MoneyErrorCode.TOO_MANY_DECIMALS),
        ),
      );
    });
  });

  it('exponent forms are always rejected', () => {
    const exponent = fc
      .tuple(
        fc.stringMatching(/^-?[0-9]{1,5}(\.[0-9]{1,3})?$/),
        fc.constantFrom('e', 'E'),
        fc.constantFrom('', '+', '-'),
        fc.integer({ min: 0, max: 400 }),
      )
      .map(([mantissa, e, sign, power]) => `${mantissa}${e}${sign}${power}`);
    fc.assert(
      fc.property(exponent, anyCurrency, (text, currency) =>
        expectMoneyError(
          () => Money.of(text, currency.code, { allowNegative: true }),
          MoneyErrorCode.INVALID_AMOUNT,
        ),
      ),
    );
  });

  it('a float rendered by String() is either rejected or means exactly that float', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), anyCurrency, (value, currency) => {
        let money: Money;
        try {
          money = Money.of(String(value), currency.code, { allowNegative: true });
        } catch (error) {
          expect(error).toBeInstanceOf(MoneyError);
          return;
        }
        expect(Number(money.toDecimalString())).toBe(value === 0 ? 0 : value);
      }),
    );
  });

  it('numbers are rejected at runtime whatever their value', () => {
    fc.assert(
      fc.property(fc.double(), (value) =>
        expectMoneyError(() => Money.of(value as unknown as string, 'CNY'), MoneyErrorCode.INVALID_AMOUNT),
      ),
    );
  });

  it('arbitrary strings either parse to their canonical value or throw a MoneyError, nothing else', () => {
    const strict = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/;
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[-+0-9.,eE x]{0,12}$/)), (text) => {
        let money: Money;
        try {
          money = Money.of(text, 'CNY', { allowNegative: true });
        } catch (error) {
          expect(error).toBeInstanceOf(MoneyError);
          expect(text).not.toMatch(strict);
          return;
        }
        const [, sign = '', integer = '', fraction = ''] = strict.exec(text) ?? [];
        const padded = fraction.padEnd(2, '0');
        const isZero = /^0+$/.test(integer + padded);
        expect(money.toDecimalString()).toBe(`${isZero ? '' : sign}${integer}.${padded}`);
      }),
    );
  });

  it('add and subtract are inverse', () => {
    fc.assert(
      fc.property(pairInSameCurrency, ([a, b]) => {
        expect(a.add(b).subtract(b).equals(a)).toBe(true);
        expect(a.subtract(b).add(b).equals(a)).toBe(true);
      }),
    );
  });

  it('addition is commutative', () => {
    fc.assert(fc.property(pairInSameCurrency, ([a, b]) => expect(a.add(b).equals(b.add(a))).toBe(true)));
  });

  it('addition is associative', () => {
    fc.assert(
      fc.property(tripleInSameCurrency, ([a, b, c]) =>
        expect(
          a
            .add(b)
            .add(c)
            .equals(a.add(b.add(c))),
        ).toBe(true),
      ),
    );
  });

  it('zero is the identity and negate the inverse', () => {
    fc.assert(
      fc.property(
        anyCurrency.chain((c) => moneyIn(c)),
        (a) => {
          const zero = Money.zero(a.currency);
          expect(a.add(zero).equals(a)).toBe(true);
          expect(a.add(a.negate()).isZero()).toBe(true);
          expect(a.negate().negate().equals(a)).toBe(true);
        },
      ),
    );
  });

  it('compare agrees with the sign of the difference, and min <= max', () => {
    fc.assert(
      fc.property(pairInSameCurrency, ([a, b]) => {
        const difference = a.subtract(b);
        const expected = difference.isZero() ? 0 : difference.isNegative() ? -1 : 1;
        expect(a.compare(b)).toBe(expected);
        // `-0` is not `0` for toBe (Object.is): equal pairs compare as 0 both ways.
        expect(b.compare(a)).toBe(expected === 0 ? 0 : -expected);
        expect(Money.min(a, b).compare(Money.max(a, b))).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('sumMoney equals repeated add, in any order', () => {
    const listInOneCurrency = anyCurrency.chain((c) =>
      fc.tuple(fc.constant(c.code), fc.array(moneyIn(c, 64n), { maxLength: 30 })),
    );
    fc.assert(
      fc.property(listInOneCurrency, fc.func(fc.integer()), ([code, list], order) => {
        const total = sumMoney(list, code);
        const reversed = sumMoney([...list].reverse(), code);
        const shuffled = sumMoney(
          [...list].sort((x, y) => order(x, y) - order(y, x)),
          code,
        );
        expect(total.minor).toBe(list.reduce((acc, m) => acc + m.minor, 0n));
        expect(reversed.equals(total)).toBe(true);
        expect(shuffled.equals(total)).toBe(true);
      }),
    );
  });

  it('mixed currencies always throw CURRENCY_MISMATCH', () => {
    const twoCurrencies = fc
      .tuple(anyCurrency, anyCurrency)
      .filter(([x, y]) => x.code !== y.code)
      .chain(([x, y]) => fc.tuple(moneyIn(x), moneyIn(y)));
    fc.assert(
      fc.property(twoCurrencies, ([a, b]) => {
        expectMoneyError(() => a.add(b), MoneyErrorCode.CURRENCY_MISMATCH);
        expectMoneyError(() => a.subtract(b), MoneyErrorCode.CURRENCY_MISMATCH);
        expectMoneyError(() => a.compare(b), MoneyErrorCode.CURRENCY_MISMATCH);
        expectMoneyError(() => Money.min(a, b), MoneyErrorCode.CURRENCY_MISMATCH);
        expectMoneyError(() => Money.max(a, b), MoneyErrorCode.CURRENCY_MISMATCH);
        expectMoneyError(() => sumMoney([a, b], a.currency), MoneyErrorCode.CURRENCY_MISMATCH);
        expect(a.equals(b)).toBe(false);
      }),
    );
  });
});
