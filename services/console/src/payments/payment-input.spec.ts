import { addAmounts, checkSplit, compareAmounts, parseAmount, statementContentType } from './payment-input';

describe('payment input', () => {
  it('accepts positive decimal amounts only', () => {
    expect(parseAmount(' 12.50 ')).toBe('12.50');
    expect(parseAmount('0.01')).toBe('0.01');
    for (const bad of ['', '0', '0.00', '-1', '1,234.50', '1e3', '12.345678', 'abc']) {
      expect(parseAmount(bad)).toBeNull();
    }
  });

  it('compares and adds decimal strings exactly', () => {
    expect(compareAmounts('0.30', '0.3')).toBe(0);
    expect(compareAmounts('100.01', '100')).toBe(1);
    expect(compareAmounts('99999999999999.99', '100000000000000')).toBe(-1);
    expect(addAmounts('0.1', '0.2')).toBe('0.30');
    expect(addAmounts('1.005', '0.005')).toBe('1.01');
  });

  it('checks a split against the payment', () => {
    expect(checkSplit({ a: '', b: ' ' }, '100.00')).toEqual({ kind: 'none' });
    expect(checkSplit({ a: '60', b: '40.00' }, '100.00')).toEqual({
      kind: 'ok',
      allocations: [
        { invoiceId: 'a', amount: '60' },
        { invoiceId: 'b', amount: '40.00' },
      ],
      total: '100.00',
    });
    expect(checkSplit({ a: '60', b: '40.01' }, '100.00')).toEqual({ kind: 'exceeds', total: '100.01' });
    expect(checkSplit({ a: '60', b: 'x' }, '100.00')).toEqual({ kind: 'invalid', invoiceId: 'b' });
  });

  it('names a statement file by its extension', () => {
    expect(statementContentType('day.XML')).toBe('application/xml');
    expect(statementContentType('icbc.csv')).toBe('text/csv');
    expect(statementContentType('mt940.sta')).toBe('text/plain');
  });
});
