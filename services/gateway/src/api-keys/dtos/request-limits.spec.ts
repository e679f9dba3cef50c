import type { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@duemap/http';
import { ListAuditRequestDto } from '../../audit/dtos/list-audit.request.dto';
import { CreateApiKeyRequestDto } from './create-api-key.request.dto';
import { RotateApiKeyRequestDto } from './rotate-api-key.request.dto';

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

describe('gateway request size limits', () => {
  it.each([
    ['name', { name: 'n'.repeat(101) }],
    ['expiresAt', { name: 'k', expiresAt: `2027-01-01T00:00:00.${'1'.repeat(60)}Z` }],
    ['sources', { name: 'k', sources: ['s'.repeat(65)] }],
    ['roles', { name: 'k', roles: ['root'] }],
  ])('refuses a bad or oversize API key %s with 400 naming it', async (field, body) => {
    const refused = await refusal(CreateApiKeyRequestDto, body);
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.fields).toContain(field);
  });

  it('refuses more than 50 sources with 400 naming the array', async () => {
    const sources = Array.from({ length: 51 }, (_, i) => `erp${i}`);
    expect(await refusal(CreateApiKeyRequestDto, { name: 'k', sources })).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      fields: ['sources'],
    });
  });

  it('bounds the rotation grace', async () => {
    expect((await refusal(RotateApiKeyRequestDto, { graceSeconds: 10 ** 9 })).fields).toEqual([
      'graceSeconds',
    ]);
  });

  it.each([
    ['subject', { subject: 's'.repeat(201) }],
    ['operation', { operation: 'o'.repeat(201) }],
    ['resource', { resource: 'r'.repeat(201) }],
    ['from', { from: `2026-05-01T00:00:00.${'1'.repeat(60)}Z` }],
    ['cursor', { cursor: '1'.repeat(20) }],
    ['limit', { limit: '501' }],
  ])('refuses an oversize audit query %s with 400 naming it', async (field, query) => {
    const refused = await refusal(ListAuditRequestDto, query, 'query');
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.fields).toContain(field);
  });
});
