import type { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@duemap/http';
import { ListCustomersRequestDto } from './list-customers.request.dto';
import { UpsertCustomerRequestDto } from './upsert-customer.request.dto';

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

const contact = { name: '李娜', email: 'ap@example.cn' };

describe('customers request size limits', () => {
  it('accepts a customer at the limits', async () => {
    const body = {
      name: 'n'.repeat(300),
      address: { country: 'CN', line1: 'l'.repeat(300) },
      contacts: Array.from({ length: 50 }, () => contact),
      salesTerritory: 's'.repeat(100),
    };
    await expect(
      createValidationPipe().transform(body, { type: 'body', metatype: UpsertCustomerRequestDto }),
    ).resolves.toBeInstanceOf(UpsertCustomerRequestDto);
  });

  it.each([
    ['name', { name: 'n'.repeat(301) }],
    ['address.line1', { name: 'x', address: { country: 'CN', line1: 'l'.repeat(301) } }],
    ['contacts[0].name', { name: 'x', contacts: [{ name: 'c'.repeat(201) }] }],
    ['creditLimit.amount', { name: 'x', creditLimit: { amount: '1'.repeat(41), currency: 'CNY' } }],
    ['timeZone', { name: 'x', timeZone: 'A'.repeat(65) }],
    ['locale', { name: 'x', locale: 'z'.repeat(65) }],
    ['salesTerritory', { name: 'x', salesTerritory: 's'.repeat(101) }],
  ])('refuses an oversize %s with 400 naming it', async (field, body) => {
    const refused = await refusal(UpsertCustomerRequestDto, body);
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.fields).toContain(field);
  });

  it('refuses more than 50 contacts with 400 naming the array', async () => {
    const body = { name: 'x', contacts: Array.from({ length: 51 }, () => contact) };
    expect(await refusal(UpsertCustomerRequestDto, body)).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['contacts'],
    });
  });

  it('bounds the list query: search text, region, cursor, limit, the status and location lists', async () => {
    const cases: [string, Record<string, string>][] = [
      ['q', { q: 'q'.repeat(201) }],
      ['region', { region: 'r'.repeat(101) }],
      ['cursor', { cursor: 'c'.repeat(2001) }],
      ['limit', { limit: '201' }],
      ['status', { status: Array.from({ length: 11 }, () => 'overdue').join(',') }],
      ['location', { location: 'located,pending,not_located,located' }],
      ['location', { location: 'lost' }],
    ];
    for (const [field, query] of cases) {
      expect(await refusal(ListCustomersRequestDto, query, 'query')).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
        fields: [field],
      });
    }
  });
});
