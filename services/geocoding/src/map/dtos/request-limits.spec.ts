import type { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '@duemap/http';
import { GetMapCustomersRequestDto } from './get-map-customers.request.dto';
import { GetRegionRollupsRequestDto } from './get-region-rollups.request.dto';

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

describe('map query size limits', () => {
  it.each([
    ['bbox', { bbox: `${'1'.repeat(200)},1,2,2` }],
    ['zoom', { zoom: '1'.repeat(21) }],
    ['status', { status: Array.from({ length: 20 }, () => 'overdue').join(',') }],
  ])('refuses an oversize %s on the pins with 400 naming it', async (field, query) => {
    const refused = await refusal(GetMapCustomersRequestDto, query, 'query');
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(new Set(refused.fields)).toEqual(new Set([field]));
  });

  it('refuses an oversize status on the roll-ups', async () => {
    const status = Array.from({ length: 30 }, () => 'paid').join(',');
    expect((await refusal(GetRegionRollupsRequestDto, { status }, 'query')).fields).toContain('status');
  });

  it('still takes an ordinary query', async () => {
    await expect(
      createValidationPipe().transform(
        { bbox: '73.5,18.1,135.1,53.6', zoom: '5', status: 'unpaid,overdue' },
        { type: 'query', metatype: GetMapCustomersRequestDto },
      ),
    ).resolves.toBeInstanceOf(GetMapCustomersRequestDto);
  });
});
