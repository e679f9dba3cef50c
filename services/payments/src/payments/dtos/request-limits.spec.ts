import type { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@duemap/http';
import { RecordPaymentRequestDto } from './record-payment.request.dto';

interface Refusal {
  status: number;
  code: string;
  fields: string[];
}

async function refusal(body: unknown): Promise<Refusal> {
  const metadata: ArgumentMetadata = { type: 'body', metatype: RecordPaymentRequestDto };
  try {
    await createValidationPipe().transform(body, metadata);
  } catch (err) {
    const e = err as BadRequestException;
    const { error } = e.getResponse() as { error: { code: string; details: { field: string }[] } };
    return { status: e.getStatus(), code: error.code, fields: error.details.map((d) => d.field) };
  }
  throw new Error('the body was accepted');
}

const money = { amount: '10.00', currency: 'CNY' };
const payment = {
  customerId: 'c-1',
  amount: money,
  receivedAt: '2025-03-31T08:15:30Z',
  method: 'bank_transfer',
  reference: 'INV-1',
};

describe('RecordPaymentRequestDto size limits', () => {
  it('accepts a payment at the limits', async () => {
    const allocations = Array.from({ length: 500 }, () => ({ invoiceId: 'i-1', amount: money }));
    await expect(
      createValidationPipe().transform(
        { ...payment, reference: 'r'.repeat(1000), allocations },
        { type: 'body', metatype: RecordPaymentRequestDto },
      ),
    ).resolves.toBeInstanceOf(RecordPaymentRequestDto);
  });

  it.each([
    ['reference', { ...payment, reference: 'r'.repeat(1001) }],
    ['amount.amount', { ...payment, amount: { amount: '1'.repeat(41), currency: 'CNY' } }],
    ['amount.currency', { ...payment, amount: { amount: '1', currency: 'C'.repeat(11) } }],
    ['receivedAt', { ...payment, receivedAt: `2025-03-31T08:15:30.${'1'.repeat(60)}Z` }],
    ['customerId', { ...payment, customerId: 'c'.repeat(129) }],
  ])('refuses an oversize %s with 400 naming it', async (field, body) => {
    const refused = await refusal(body);
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.fields).toContain(field);
  });

  it('refuses more than 500 allocations with 400 naming the array', async () => {
    const allocations = Array.from({ length: 501 }, () => ({ invoiceId: 'i-1', amount: money }));
    const refused = await refusal({ ...payment, allocations });
    expect(refused).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['allocations'] });
  });

  it('names an oversize field inside an allocation by its path', async () => {
    const allocations = [{ invoiceId: 'i-1', amount: { amount: '9'.repeat(41), currency: 'CNY' } }];
    expect((await refusal({ ...payment, allocations })).fields).toEqual(['allocations[0].amount.amount']);
  });
});
