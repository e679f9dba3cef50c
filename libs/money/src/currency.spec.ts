import { readFileSync } from 'node:fs';

import { data as iso4217 } from 'currency-codes';

import {
  FUNDS_CODES,
  NON_CURRENCY_CODES,
  getCurrency,
  isSupportedCurrency,
  supportedCurrencies,
} from './currency';
import { MoneyError, MoneyErrorCode } from './money.error';

function errorOf(fn: () => unknown): MoneyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MoneyError) return error;
    throw error;
  }
  throw new Error('expected a MoneyError, nothing was thrown');
}

describe('getCurrency', () => {
  it.each([
    ['CNY', 2],
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['UYW', 4],
  ])('%s has %i minor-unit digits', (code, digits) => {
    expect(getCurrency(code)).toMatchObject({ code, digits });
  });

  it.each(['XAF', 'XOF', 'XPF', 'XCD'])('accepts %s, a real currency despite its X prefix', (code) => {
    expect(getCurrency(code).code).toBe(code);
  });

  it.each(['cny', 'Cny', 'CN', 'CNYY', ' CNY', 'CNY ', '', '156', 'C1Y'])(
    'rejects %j as not an uppercase 3-letter code',
    (code) => {
      const error = errorOf(() => getCurrency(code));
      expect(error.code).toBe(MoneyErrorCode.UNKNOWN_CURRENCY);
      expect(error.field).toBe('currency');
      expect(error.message).toBe(
        `currency: ${JSON.stringify(code)} is not an ISO 4217 currency code (expected 3 uppercase letters, e.g. "CNY")`,
      );
    },
  );

  it.each(['ABC', 'HRK', 'SLL', 'ZWL'])('rejects %s, which is not an active ISO 4217 code', (code) => {
    const error = errorOf(() => getCurrency(code));
    expect(error.code).toBe(MoneyErrorCode.UNKNOWN_CURRENCY);
    expect(error.message).toBe(`currency: "${code}" is not an active ISO 4217 currency code`);
  });

  it.each(['XAU', 'XAG', 'XDR', 'XTS', 'XXX', 'XSU'])(
    'rejects %s, which has no minor unit in ISO 4217',
    (code) => {
      const error = errorOf(() => getCurrency(code));
      expect(error.code).toBe(MoneyErrorCode.UNSUPPORTED_CURRENCY);
      expect(error.message).toContain('not a currency');
    },
  );

  it.each(['CLF', 'USN', 'CHE', 'BOV'])('rejects funds code %s', (code) => {
    const error = errorOf(() => getCurrency(code));
    expect(error.code).toBe(MoneyErrorCode.UNSUPPORTED_CURRENCY);
    expect(error.message).toContain('funds code');
  });

  it.each([156, null, undefined, { code: 'CNY' }])('rejects the non-string %p', (code) => {
    const error = errorOf(() => getCurrency(code));
    expect(error.code).toBe(MoneyErrorCode.UNKNOWN_CURRENCY);
    expect(error.message).toMatch(/^currency: expected an ISO 4217 currency code string, got /);
  });

  it('names the field it was given', () => {
    const error = errorOf(() => getCurrency('usd', 'lines[3].currency'));
    expect(error.field).toBe('lines[3].currency');
    expect(error.message).toMatch(/^lines\[3\]\.currency: "usd"/);
  });
});

describe('supported currencies', () => {
  it('are sorted, unique, uppercase and exclude every rejected code', () => {
    const codes = supportedCurrencies().map((c) => c.code);
    expect(codes).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect(isSupportedCurrency(code)).toBe(true);
      expect(NON_CURRENCY_CODES.has(code) || FUNDS_CODES.has(code)).toBe(false);
    }
    expect(isSupportedCurrency('XAU')).toBe(false);
    expect(isSupportedCurrency('cny')).toBe(false);
    expect(isSupportedCurrency(156)).toBe(false);
  });

  it('cover every minor-unit digit count the property tests rely on', () => {
    expect(new Set(supportedCurrencies().map((c) => c.digits))).toEqual(new Set([0, 2, 3, 4]));
  });

  it('are frozen so a caller cannot change a digit count for everyone', () => {
    const cny = getCurrency('CNY');
    expect(Object.isFrozen(cny)).toBe(true);
    expect(() => {
      (cny as { digits: number }).digits = 4;
    }).toThrow(TypeError);
  });
});

// Guards against an upgrade of `currency-codes` changing ISO's list under us: the hand-kept
// exclusion lists must match the XML the package itself was built from.
describe('exclusion lists against the ISO 4217 XML shipped with currency-codes', () => {
  const xml = readFileSync(require.resolve('currency-codes/iso-4217-list-one.xml'), 'utf8');
  const entries = [...xml.matchAll(/<CcyNtry>([\s\S]*?)<\/CcyNtry>/g)].map((m) => m[1] ?? '');
  const codesWhere = (predicate: (entry: string) => boolean): Set<string> =>
    new Set(
      entries
        .filter(predicate)
        .map((entry) => /<Ccy>([A-Z]{3})<\/Ccy>/.exec(entry)?.[1])
        .filter((code): code is string => code !== undefined),
    );

  it('NON_CURRENCY_CODES are exactly the codes whose minor unit is N.A.', () => {
    expect(codesWhere((e) => e.includes('<CcyMnrUnts>N.A.</CcyMnrUnts>'))).toEqual(
      new Set(NON_CURRENCY_CODES),
    );
  });

  it('FUNDS_CODES are exactly the codes flagged IsFund', () => {
    expect(codesWhere((e) => e.includes('IsFund="true"'))).toEqual(new Set(FUNDS_CODES));
  });

  it('every other ISO code is supported with the digits ISO gives it', () => {
    for (const record of iso4217) {
      if (NON_CURRENCY_CODES.has(record.code) || FUNDS_CODES.has(record.code)) continue;
      expect(getCurrency(record.code).digits).toBe(record.digits);
    }
  });
});
