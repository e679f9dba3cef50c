import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsDefined, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { createValidationPipe } from './validation';

class MoneyDto {
  @IsString()
  amount!: string;

  @IsString()
  currency!: string;
}

class PaymentDto {
  @IsDefined()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @IsString()
  @MaxLength(10)
  reference!: string;

  @IsOptional()
  @IsString()
  note?: string;
}

const metadata: ArgumentMetadata = { type: 'body', metatype: PaymentDto };

async function refusal(body: unknown): Promise<{ code: string; message: string; details: unknown[] }> {
  try {
    await createValidationPipe().transform(body, metadata);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return ((err as BadRequestException).getResponse() as { error: never }).error;
  }
  throw new Error('the body was accepted');
}

describe('createValidationPipe', () => {
  it('refuses a NUL character anywhere, naming the field (PostgreSQL text cannot hold one)', async () => {
    await expect(
      refusal({ amount: { amount: '1\u0000', currency: 'CNY' }, reference: 'r' }),
    ).resolves.toEqual({
      code: 'VALIDATION_FAILED',
      message: 'amount.amount must not contain a NUL character',
      details: [{ field: 'amount.amount', message: 'amount.amount must not contain a NUL character' }],
    });
    const messageOf = async (value: unknown, meta: ArgumentMetadata): Promise<string> => {
      try {
        await createValidationPipe().transform(value, meta);
      } catch (err) {
        return ((err as BadRequestException).getResponse() as { error: { message: string } }).error.message;
      }
      throw new Error('accepted');
    };
    const query: ArgumentMetadata = { type: 'query', metatype: PaymentDto };
    await expect(messageOf({ q: 'ok', tags: ['a', 'b\u0000'] }, query)).resolves.toBe(
      'tags[1] must not contain a NUL character',
    );
    const param: ArgumentMetadata = { type: 'param', data: 'id', metatype: String };
    await expect(messageOf('x\u0000', param)).resolves.toBe('id must not contain a NUL character');
  });

  it('says only "is required" of an absent required field, whatever rules it has', async () => {
    const error = await refusal({ amount: { amount: '1.00', currency: 'CNY' } });
    expect(error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'reference is required',
      details: [{ field: 'reference', message: 'reference is required' }],
    });
  });

  it('names nested fields by path, absent or wrong', async () => {
    const error = await refusal({ amount: { amount: 5 }, reference: 'x' });
    expect(error.details).toEqual([
      { field: 'amount.amount', message: 'amount.amount must be a string' },
      { field: 'amount.currency', message: 'amount.currency is required' },
    ]);
  });

  it('gives every broken rule of a present field, and names unknown fields', async () => {
    const error = await refusal({
      amount: { amount: '1', currency: 'CNY' },
      reference: 'x'.repeat(11),
      nope: 1,
    });
    expect(error.details).toEqual([
      { field: 'nope', message: 'property nope should not exist' },
      { field: 'reference', message: 'reference must be shorter than or equal to 10 characters' },
    ]);
    const nested = await refusal({ amount: { amount: '1', currency: 'CNY', rate: 2 }, reference: '' });
    expect(nested.details).toEqual([
      { field: 'amount.rate', message: 'property amount.rate should not exist' },
    ]);
  });

  it('lets an absent optional field through', async () => {
    await expect(
      createValidationPipe().transform({ amount: { amount: '1', currency: 'CNY' }, reference: '' }, metadata),
    ).resolves.toBeInstanceOf(PaymentDto);
  });
});
