import { MAX_MINOR_UNITS, Money, sumMoney } from './money';
import { MoneyError, MoneyErrorCode, isMoneyError } from './money.error';

function errorOf(fn: () => unknown): MoneyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error;
    throw error;
  }
  throw new Error('expected a MoneyError, nothing was thrown');
}

const cny = (amount: string): Money => Money.of(amount, 'CNY', { allowNegative: true });

describe('Money.of', () => {
  it.each([
    ['1234.50', 'CNY', 123450n, '1234.50'],
    ['1234.5', 'CNY', 123450n, '1234.50'],
    ['0.5', 'CNY', 50n, '0.50'],
    ['0.50', 'CNY', 50n, '0.50'],
    ['0', 'CNY', 0n, '0.00'],
    ['0.00', 'CNY', 0n, '0.00'],
    ['10', 'CNY', 1000n, '10.00'],
    ['100', 'JPY', 100n, '100'],
    ['0', 'JPY', 0n, '0'],
    ['1.234', 'KWD', 1234n, '1.234'],
    ['0.001', 'KWD', 1n, '0.001'],
    ['1.2345', 'UYW', 12345n, '1.2345'],
  ])('parses %j %s as %p minor units, formatted %j', (amount, currency, minor, formatted) => {
    const money = Money.of(amount, currency);
    expect(money.minor).toBe(minor);
    expect(money.currency).toBe(currency);
    expect(money.toDecimalString()).toBe(formatted);
  });

  it('reports the currency digits', () => {
    expect(Money.of('1', 'CNY').digits).toBe(2);
    expect(Money.of('1', 'JPY').digits).toBe(0);
    expect(Money.of('1', 'BHD').digits).toBe(3);
  });

  describe('rejects malformed strings with the rule they broke', () => {
    it.each([
      ['', 'it is empty'],
      [' 1.00', 'leading or trailing whitespace'],
      ['1.00 ', 'leading or trailing whitespace'],
      ['1.00\n', 'leading or trailing whitespace'],
      ['1 000.00', 'contains whitespace'],
      ['+1.00', 'a leading "+" is not allowed'],
      ['1e3', 'exponent notation'],
      ['1E3', 'exponent notation'],
      ['1.5e2', 'exponent notation'],
      ['1e-7', 'exponent notation'],
      ['-2.5E+10', 'exponent notation'],
      ['0x10', 'hex, octal and binary'],
      ['0X1F', 'hex, octal and binary'],
      ['0b101', 'hex, octal and binary'],
      ['0o17', 'hex, octal and binary'],
      ['1,000.00', 'thousands separators'],
      ['1,000,000', 'thousands separators'],
      ["1'000.00", 'thousands separators'],
      ['1_000', 'thousands separators'],
      ['1,5', 'decimal separator must be "."'],
      ['1.', 'a digit is required after the decimal point'],
      ['.5', 'a digit is required before the decimal point'],
      ['-.5', 'a digit is required before the decimal point'],
      ['007', 'leading zeros'],
      ['00.50', 'leading zeros'],
      ['-01', 'leading zeros'],
      ['NaN', 'not a plain decimal number'],
      ['Infinity', 'not a plain decimal number'],
      ['-', 'not a plain decimal number'],
      ['--1', 'not a plain decimal number'],
      ['1.2.3', 'not a plain decimal number'],
      ['１２３', 'not a plain decimal number'],
      ['١٢٣', 'not a plain decimal number'],
      ['12abc', 'not a plain decimal number'],
      ['¥12', 'not a plain decimal number'],
    ])('%j: %s', (amount, reason) => {
      const error = errorOf(() => Money.of(amount, 'CNY', { allowNegative: true }));
      expect(error.code).toBe(MoneyErrorCode.INVALID_AMOUNT);
      expect(error.field).toBe('amount');
      expect(error.message.startsWith(`amount: ${JSON.stringify(amount)} is not a valid amount: `)).toBe(
        true,
      );
      expect(error.message).toContain(reason);
      expect(error.message.endsWith('(expected e.g. "1234.50")')).toBe(true);
    });

    it('suggests a JPY example without decimals', () => {
      expect(errorOf(() => Money.of('1e3', 'JPY')).message).toBe(
        'amount: "1e3" is not a valid amount: exponent notation is not allowed (expected e.g. "123450")',
      );
    });

    it('truncates very long input in the message', () => {
      const error = errorOf(() => Money.of(`${'9'.repeat(50)}x`, 'CNY'));
      expect(error.message).toContain(`"${'9'.repeat(40)}…"`);
      expect(error.message.length).toBeLessThan(200);
    });
  });

  describe('rejects more decimals than the currency allows, never rounding', () => {
    it.each([
      ['1.234', 'CNY', 'amount: "1.234" has 3 decimals but CNY allows 2'],
      ['1.230', 'CNY', 'amount: "1.230" has 3 decimals but CNY allows 2'],
      ['0.001', 'USD', 'amount: "0.001" has 3 decimals but USD allows 2'],
      ['100.5', 'JPY', 'amount: "100.5" has 1 decimal but JPY allows none'],
      ['100.0', 'JPY', 'amount: "100.0" has 1 decimal but JPY allows none'],
      ['1.2345', 'KWD', 'amount: "1.2345" has 4 decimals but KWD allows 3'],
      ['-1.234', 'CNY', 'amount: "-1.234" has 3 decimals but CNY allows 2'],
    ])('%j %s', (amount, currency, message) => {
      const error = errorOf(() => Money.of(amount, currency, { allowNegative: true }));
      expect(error.code).toBe(MoneyErrorCode.TOO_MANY_DECIMALS);
      expect(error.message).toBe(message);
    });
  });

  describe('rejects values that are not strings', () => {
    it.each([
      [1.5, 'number 1.5'],
      [100, 'number 100'],
      [0.1 + 0.2, 'number 0.30000000000000004'],
      [Number.NaN, 'number NaN'],
      [10n, 'bigint 10n'],
      [true, 'boolean true'],
      [null, 'null'],
      [undefined, 'undefined'],
      [{ amount: '1.00' }, 'object'],
    ])('%p', (amount, got) => {
      const error = errorOf(() => Money.of(amount as unknown as string, 'CNY'));
      expect(error.code).toBe(MoneyErrorCode.INVALID_AMOUNT);
      expect(error.message).toBe(`amount: expected a decimal string such as "1234.50", got ${got}`);
    });
  });

  describe('negative amounts', () => {
    it('are rejected unless allowed', () => {
      const error = errorOf(() => Money.of('-5.00', 'CNY'));
      expect(error.code).toBe(MoneyErrorCode.NEGATIVE_NOT_ALLOWED);
      expect(error.message).toBe(
        'amount: "-5.00" has a minus sign but negative amounts are not allowed here',
      );
    });

    it('are parsed when allowed', () => {
      const money = Money.of('-5.05', 'CNY', { allowNegative: true });
      expect(money.minor).toBe(-505n);
      expect(money.toDecimalString()).toBe('-5.05');
      expect(Money.of('-0.05', 'CNY', { allowNegative: true }).toDecimalString()).toBe('-0.05');
    });

    it.each(['-0', '-0.00', '-0.0'])('%j needs allowNegative and then is plain zero', (amount) => {
      expect(errorOf(() => Money.of(amount, 'CNY')).code).toBe(MoneyErrorCode.NEGATIVE_NOT_ALLOWED);
      const zero = Money.of(amount, 'CNY', { allowNegative: true });
      expect(zero.isZero()).toBe(true);
      expect(zero.isNegative()).toBe(false);
      expect(zero.toDecimalString()).toBe('0.00');
      expect(zero.equals(Money.zero('CNY'))).toBe(true);
    });
  });

  describe('range', () => {
    it('accepts 18 integer digits for a currency without minor units', () => {
      expect(Money.of('999999999999999999', 'JPY').minor).toBe(999_999_999_999_999_999n);
    });

    it('rejects a 19th integer digit', () => {
      const error = errorOf(() => Money.of('1000000000000000000', 'JPY'));
      expect(error.code).toBe(MoneyErrorCode.OUT_OF_RANGE);
      expect(error.message).toBe(
        'amount: "1000000000000000000" is out of range for JPY (the limit is ±999999999999999999)',
      );
    });

    it('keeps minor units within a signed 64-bit integer', () => {
      expect(Money.of('92233720368547758.07', 'CNY').minor).toBe(MAX_MINOR_UNITS);
      expect(Money.of('-92233720368547758.07', 'CNY', { allowNegative: true }).minor).toBe(-MAX_MINOR_UNITS);
      const error = errorOf(() => Money.of('92233720368547758.08', 'CNY'));
      expect(error.code).toBe(MoneyErrorCode.OUT_OF_RANGE);
      expect(error.message).toContain('the limit is ±92233720368547758.07');
      expect(errorOf(() => Money.of('1000000000000000.0000', 'UYW')).code).toBe(MoneyErrorCode.OUT_OF_RANGE);
    });

    it('rejects huge strings before doing big-integer work', () => {
      expect(errorOf(() => Money.of('9'.repeat(100_000), 'CNY')).code).toBe(MoneyErrorCode.OUT_OF_RANGE);
    });
  });

  describe('field names', () => {
    it('uses the given amount field', () => {
      const error = errorOf(() => Money.of('1.234', 'CNY', { field: 'lines[0].total' }));
      expect(error.field).toBe('lines[0].total');
      expect(error.message).toBe('lines[0].total: "1.234" has 3 decimals but CNY allows 2');
    });

    it('checks the currency first and names its field', () => {
      const error = errorOf(() => Money.of('1.00', 'cny'));
      expect(error.code).toBe(MoneyErrorCode.UNKNOWN_CURRENCY);
      expect(error.field).toBe('currency');
      expect(errorOf(() => Money.of('1.00', 'XAU', { currencyField: 'total.currency' })).message).toMatch(
        /^total\.currency: "XAU"/,
      );
    });
  });
});

describe('Money.fromMinor / zero / fromJSON', () => {
  it('builds from bigint minor units', () => {
    expect(Money.fromMinor(123450n, 'CNY').toDecimalString()).toBe('1234.50');
    expect(Money.fromMinor(-5n, 'CNY').toDecimalString()).toBe('-0.05');
    expect(Money.fromMinor(5n, 'KWD').toDecimalString()).toBe('0.005');
    expect(Money.fromMinor(123n, 'JPY').toDecimalString()).toBe('123');
  });

  it('refuses numbers, which could already have lost precision', () => {
    const error = errorOf(() => Money.fromMinor(100 as unknown as bigint, 'CNY'));
    expect(error.code).toBe(MoneyErrorCode.INVALID_AMOUNT);
    expect(error.message).toBe('amount: expected integer minor units as a bigint, got number 100');
  });

  it('refuses minor units beyond the range', () => {
    expect(Money.fromMinor(MAX_MINOR_UNITS, 'CNY').minor).toBe(MAX_MINOR_UNITS);
    expect(errorOf(() => Money.fromMinor(MAX_MINOR_UNITS + 1n, 'CNY')).code).toBe(
      MoneyErrorCode.OUT_OF_RANGE,
    );
    expect(errorOf(() => Money.fromMinor(-MAX_MINOR_UNITS - 1n, 'CNY')).code).toBe(
      MoneyErrorCode.OUT_OF_RANGE,
    );
    expect(errorOf(() => Money.fromMinor(10n ** 18n, 'JPY')).message).toBe(
      'amount: 1000000000000000000 minor units is out of range for JPY (the limit is ±999999999999999999)',
    );
  });

  it('zero', () => {
    const zero = Money.zero('KWD');
    expect(zero.minor).toBe(0n);
    expect(zero.toDecimalString()).toBe('0.000');
    expect(errorOf(() => Money.zero('kwd')).code).toBe(MoneyErrorCode.UNKNOWN_CURRENCY);
  });

  it('fromJSON reads the wire shape with the same rules', () => {
    expect(Money.fromJSON({ amount: '1234.50', currency: 'CNY' }).minor).toBe(123450n);
    expect(errorOf(() => Money.fromJSON({ amount: '-1', currency: 'CNY' })).code).toBe(
      MoneyErrorCode.NEGATIVE_NOT_ALLOWED,
    );
  });
});

describe('serialisation', () => {
  it('serialises to the wire shape', () => {
    expect(Money.of('1234.5', 'CNY').toJSON()).toEqual({ amount: '1234.50', currency: 'CNY' });
    expect(JSON.stringify({ total: Money.of('100', 'JPY') })).toBe(
      '{"total":{"amount":"100","currency":"JPY"}}',
    );
  });

  it('prints amount and currency', () => {
    expect(String(cny('-12.3'))).toBe('-12.30 CNY');
  });
});

describe('arithmetic', () => {
  it('adds, subtracts and negates', () => {
    expect(cny('10.05').add(cny('0.95')).toDecimalString()).toBe('11.00');
    expect(cny('10.00').subtract(cny('10.01')).toDecimalString()).toBe('-0.01');
    expect(cny('3.50').negate().toDecimalString()).toBe('-3.50');
    expect(cny('-3.50').negate().toDecimalString()).toBe('3.50');
    expect(Money.zero('CNY').negate().isZero()).toBe(true);
  });

  it('never mutates its operands', () => {
    const a = cny('1.00');
    const b = cny('2.00');
    a.add(b);
    a.subtract(b);
    a.negate();
    expect(a.minor).toBe(100n);
    expect(b.minor).toBe(200n);
  });

  it('is frozen', () => {
    const money = cny('1.00');
    expect(Object.isFrozen(money)).toBe(true);
    expect(() => {
      (money as { minor: bigint }).minor = 5n;
    }).toThrow(TypeError);
  });

  it('reports overflow instead of producing an out-of-range amount', () => {
    const max = Money.fromMinor(MAX_MINOR_UNITS, 'CNY');
    const error = errorOf(() => max.add(Money.fromMinor(1n, 'CNY')));
    expect(error.code).toBe(MoneyErrorCode.OUT_OF_RANGE);
    expect(error.message).toBe(
      'amount: the sum is out of range for CNY (the limit is ±92233720368547758.07)',
    );
    expect(errorOf(() => max.negate().subtract(Money.fromMinor(1n, 'CNY'))).message).toContain(
      'the difference',
    );
  });

  it.each([
    ['add', (a: Money, b: Money): unknown => a.add(b)],
    ['subtract', (a: Money, b: Money): unknown => a.subtract(b)],
    ['compare', (a: Money, b: Money): unknown => a.compare(b)],
    ['min', (a: Money, b: Money): unknown => Money.min(a, b)],
    ['max', (a: Money, b: Money): unknown => Money.max(a, b)],
  ])('%s refuses mixed currencies', (_name, operation) => {
    const error = errorOf(() => operation(Money.of('1.00', 'CNY'), Money.of('1.00', 'USD')));
    expect(error.code).toBe(MoneyErrorCode.CURRENCY_MISMATCH);
    expect(error.field).toBe('currency');
    expect(error.message).toMatch(/^currency: cannot \w+ (USD and CNY|CNY and USD); mixed currencies/);
  });

  it('mismatch messages name both currencies', () => {
    expect(errorOf(() => Money.of('1', 'CNY').add(Money.of('1', 'JPY'))).message).toBe(
      'currency: cannot add JPY and CNY; mixed currencies are never combined without an explicit rate',
    );
  });
});

describe('comparison', () => {
  it('compares within a currency', () => {
    expect(cny('1.00').compare(cny('2.00'))).toBe(-1);
    expect(cny('2.00').compare(cny('1.00'))).toBe(1);
    expect(cny('2.00').compare(cny('2'))).toBe(0);
    expect(cny('-2.00').compare(cny('1.00'))).toBe(-1);
  });

  it('equals is value equality and false across currencies', () => {
    expect(cny('2.00').equals(cny('2'))).toBe(true);
    expect(cny('2.00').equals(cny('2.01'))).toBe(false);
    expect(Money.of('2', 'USD').equals(Money.of('2', 'CAD'))).toBe(false);
    expect(Money.of('200', 'JPY').equals(Money.of('2.00', 'CNY'))).toBe(false);
  });

  it('sign predicates', () => {
    expect([cny('0').isZero(), cny('0').isNegative(), cny('0').isPositive()]).toEqual([true, false, false]);
    expect([cny('0.01').isZero(), cny('0.01').isNegative(), cny('0.01').isPositive()]).toEqual([
      false,
      false,
      true,
    ]);
    expect([cny('-0.01').isZero(), cny('-0.01').isNegative(), cny('-0.01').isPositive()]).toEqual([
      false,
      true,
      false,
    ]);
  });

  it('min and max', () => {
    expect(Money.min(cny('3'), cny('-1'), cny('2')).toDecimalString()).toBe('-1.00');
    expect(Money.max(cny('3'), cny('-1'), cny('2')).toDecimalString()).toBe('3.00');
    expect(Money.min(cny('7')).toDecimalString()).toBe('7.00');
    const error = errorOf(() => Money.max(cny('1'), cny('2'), Money.of('3', 'USD')));
    expect(error.code).toBe(MoneyErrorCode.CURRENCY_MISMATCH);
  });
});

describe('sumMoney', () => {
  it('sums one currency', () => {
    expect(sumMoney([cny('1.10'), cny('2.20'), cny('-0.30')], 'CNY').toDecimalString()).toBe('3.00');
  });

  it('is zero in the given currency for an empty list', () => {
    const total = sumMoney([], 'JPY');
    expect(total.isZero()).toBe(true);
    expect(total.currency).toBe('JPY');
  });

  it('accepts any iterable', () => {
    function* amounts(): Generator<Money> {
      yield cny('1');
      yield cny('2');
    }
    expect(sumMoney(amounts(), 'CNY').toDecimalString()).toBe('3.00');
  });

  it('refuses mixed currencies and names the offending item', () => {
    const error = errorOf(() => sumMoney([cny('1'), cny('2'), Money.of('3', 'USD')], 'CNY'));
    expect(error.code).toBe(MoneyErrorCode.CURRENCY_MISMATCH);
    expect(error.message).toBe(
      'currency: cannot sum item 2 in USD into a CNY total; mixed currencies are never summed without an explicit rate',
    );
  });

  it('refuses a list entirely in another currency', () => {
    expect(errorOf(() => sumMoney([Money.of('1', 'USD')], 'CNY')).code).toBe(
      MoneyErrorCode.CURRENCY_MISMATCH,
    );
  });

  it('validates the total currency', () => {
    expect(errorOf(() => sumMoney([], 'usd')).code).toBe(MoneyErrorCode.UNKNOWN_CURRENCY);
  });

  it('reports overflow', () => {
    const max = Money.fromMinor(MAX_MINOR_UNITS, 'CNY');
    expect(errorOf(() => sumMoney([max, cny('0.01')], 'CNY')).code).toBe(MoneyErrorCode.OUT_OF_RANGE);
  });
});

describe('isMoneyError', () => {
  it('narrows by class and optionally by code', () => {
    const error = errorOf(() => Money.of('x', 'CNY'));
    expect(isMoneyError(error)).toBe(true);
    expect(isMoneyError(error, MoneyErrorCode.INVALID_AMOUNT)).toBe(true);
    expect(isMoneyError(error, MoneyErrorCode.CURRENCY_MISMATCH)).toBe(false);
    expect(isMoneyError(new Error('x'))).toBe(false);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MoneyError');
  });
});
