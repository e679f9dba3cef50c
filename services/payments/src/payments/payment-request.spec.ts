import { isMoneyError } from '@duemap/money';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import type { RecordPaymentRequestDto } from './dtos/record-payment.request.dto';
import { checkIdempotencyKey, parsePaymentRequest, requestHash } from './payment-request';

function dto(overrides: Partial<RecordPaymentRequestDto> = {}): RecordPaymentRequestDto {
  return {
    customerId: 'cust-1',
    amount: { amount: '100.00', currency: 'CNY' },
    receivedAt: '2025-03-31T08:00:00Z',
    method: 'bank_transfer',
    reference: 'INV-1',
    ...overrides,
  };
}

function error(fn: () => unknown): { code: string; field: string | undefined; status?: number } {
  try {
    fn();
  } catch (err) {
    if (err instanceof PaymentsException)
      return { code: err.code, field: err.details[0]?.field, status: err.status };
    if (isMoneyError(err)) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error('expected an error');
}

describe('checkIdempotencyKey', () => {
  it('accepts 1 to 200 characters', () => {
    expect(checkIdempotencyKey('k')).toBe('k');
    expect(checkIdempotencyKey('x'.repeat(200))).toHaveLength(200);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'x'.repeat(201)],
  ])('answers 400 naming the header when %s', (_name, key) => {
    expect(error(() => checkIdempotencyKey(key))).toEqual({
      code: PaymentsErrorCode.ValidationFailed,
      field: 'Idempotency-Key',
      status: 400,
    });
  });
});

describe('parsePaymentRequest', () => {
  it('parses amounts strictly and the receipt time as an instant', () => {
    const request = parsePaymentRequest(
      dto({ allocations: [{ invoiceId: 'inv-1', amount: { amount: '40', currency: 'CNY' } }] }),
      'key-1',
    );
    expect(request.amount.toJSON()).toEqual({ amount: '100.00', currency: 'CNY' });
    expect(request.receivedAt.toISOString()).toBe('2025-03-31T08:00:00.000Z');
    expect(request.allocations[0]?.amount.toDecimalString()).toBe('40.00');
  });

  it.each([
    ['zero', { amount: '0.00', currency: 'CNY' }, PaymentsErrorCode.AmountNotPositive, 'amount'],
    ['negative', { amount: '-5.00', currency: 'CNY' }, 'NEGATIVE_NOT_ALLOWED', 'amount'],
    ['too many decimals', { amount: '1.001', currency: 'CNY' }, 'TOO_MANY_DECIMALS', 'amount'],
    ['exponent', { amount: '1e3', currency: 'CNY' }, 'INVALID_AMOUNT', 'amount'],
    ['unknown currency', { amount: '1.00', currency: 'ABC' }, 'UNKNOWN_CURRENCY', 'amount.currency'],
  ])('refuses a %s amount naming the field', (_name, amount, code, field) => {
    expect(error(() => parsePaymentRequest(dto({ amount }), 'k'))).toMatchObject({ code, field });
  });

  it('names the allocation whose amount is bad', () => {
    const body = dto({
      allocations: [
        { invoiceId: 'a', amount: { amount: '1.00', currency: 'CNY' } },
        { invoiceId: 'b', amount: { amount: '1.00', currency: 'XYZ' } },
      ],
    });
    expect(error(() => parsePaymentRequest(body, 'k'))).toMatchObject({
      code: 'UNKNOWN_CURRENCY',
      field: 'allocations[1].amount.currency',
    });
  });
});

describe('requestHash', () => {
  const hash = (body: RecordPaymentRequestDto): string => requestHash(parsePaymentRequest(body, 'k'));

  it('is the same for the same request however it is spelled', () => {
    const base = hash(dto());
    expect(hash(dto({ amount: { amount: '100', currency: 'CNY' } }))).toBe(base);
    expect(hash(dto({ receivedAt: '2025-03-31T16:00:00+08:00' }))).toBe(base);
    expect(hash(dto({ allocations: [] }))).toBe(base);
  });

  it('differs when anything that matters differs', () => {
    const base = hash(dto());
    const variants: RecordPaymentRequestDto[] = [
      dto({ customerId: 'cust-2' }),
      dto({ amount: { amount: '100.01', currency: 'CNY' } }),
      dto({ amount: { amount: '100.00', currency: 'USD' } }),
      dto({ receivedAt: '2025-03-31T08:00:01Z' }),
      dto({ method: 'cash' }),
      dto({ reference: 'INV-2' }),
      dto({ allocations: [{ invoiceId: 'inv-1', amount: { amount: '1.00', currency: 'CNY' } }] }),
    ];
    const hashes = variants.map(hash);
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
  });
});
