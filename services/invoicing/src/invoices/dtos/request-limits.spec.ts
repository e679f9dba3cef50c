import type { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@duemap/http';
import { ListInvoicesRequestDto, MAX_OFFSET } from './list-invoices.request.dto';
import { UpsertInvoiceRequestDto } from './upsert-invoice.request.dto';
import { VoidInvoiceRequestDto } from './void-invoice.request.dto';

interface Refusal {
  status: number;
  code: string;
  fields: string[];
}

async function refusal(
  metatype: ArgumentMetadata['metatype'],
  value: unknown,
  type: ArgumentMetadata['type'] = 'body',
): Promise<Refusal> {
  try {
    await createValidationPipe().transform(value, { type, metatype });
  } catch (err) {
    const e = err as BadRequestException;
    const { error } = e.getResponse() as { error: { code: string; details: { field: string }[] } };
    return { status: e.getStatus(), code: error.code, fields: error.details.map((d) => d.field) };
  }
  throw new Error('the request was accepted');
}

const money = { amount: '10.00', currency: 'CNY' };
const invoice = {
  customerId: '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02',
  number: 'INV-1',
  issueDate: '2025-03-01',
  dueDate: '2025-03-31',
  total: money,
};
const line = { description: 'Consulting', amount: money };

describe('invoicing request size limits', () => {
  it('accepts an invoice at the limits', async () => {
    const body = { ...invoice, number: 'n'.repeat(100), lines: Array.from({ length: 1000 }, () => line) };
    await expect(
      createValidationPipe().transform(body, { type: 'body', metatype: UpsertInvoiceRequestDto }),
    ).resolves.toBeInstanceOf(UpsertInvoiceRequestDto);
  });

  it.each([
    ['number', { ...invoice, number: 'n'.repeat(101) }],
    ['total.amount', { ...invoice, total: { amount: '1'.repeat(41), currency: 'CNY' } }],
    ['total.currency', { ...invoice, total: { amount: '1', currency: 'C'.repeat(11) } }],
    ['lines[0].description', { ...invoice, lines: [{ ...line, description: 'd'.repeat(1001) }] }],
    ['lines[0].quantity', { ...invoice, lines: [{ ...line, quantity: '1'.repeat(41) }] }],
    [
      'customer.externalId',
      { ...invoice, customerId: undefined, customer: { sourceSystem: 'sap', externalId: 'e'.repeat(201) } },
    ],
  ])('refuses an oversize %s with 400 naming it', async (field, body) => {
    const refused = await refusal(UpsertInvoiceRequestDto, body);
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.fields).toContain(field);
  });

  it('refuses more than 1000 lines with 400 naming the array', async () => {
    const body = { ...invoice, lines: Array.from({ length: 1001 }, () => line) };
    expect(await refusal(UpsertInvoiceRequestDto, body)).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['lines'],
    });
  });

  it('refuses an oversize void reason', async () => {
    expect((await refusal(VoidInvoiceRequestDto, { reason: 'r'.repeat(1001) })).fields).toEqual(['reason']);
  });

  it('bounds limit and offset of the list', async () => {
    expect((await refusal(ListInvoicesRequestDto, { limit: '501' }, 'query')).fields).toEqual(['limit']);
    expect(
      (await refusal(ListInvoicesRequestDto, { offset: String(MAX_OFFSET + 1) }, 'query')).fields,
    ).toEqual(['offset']);
  });
});
