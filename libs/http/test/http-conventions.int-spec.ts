import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Money } from '@duemap/money';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';
import { configureHttp, DomainException } from '../src';

class LineDto {
  @IsString()
  @IsNotEmpty()
  invoiceId!: string;
}

class PayDto {
  @IsString()
  amount!: string;

  @IsIn(['CNY', 'EUR'])
  currency!: string;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => LineDto)
  lines?: LineDto[];
}

class DuplicateException extends DomainException<'DUPLICATE_PAYMENT'> {
  readonly status = 409;
}

@Controller('t')
class TestController {
  @Post('pay')
  pay(@Body() dto: PayDto): { amount: string } {
    return { amount: Money.of(dto.amount, dto.currency).toDecimalString() };
  }

  @Get('conflict')
  conflict(): never {
    throw new DuplicateException('DUPLICATE_PAYMENT', 'payment p1 exists', [
      { field: 'reference', message: 'taken' },
    ]);
  }

  @Get('boom')
  boom(): never {
    throw new Error('secret connection string postgres://x');
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

describe('HTTP conventions (ApiExceptionFilter, validation, body limit)', () => {
  let app: INestApplication;
  let url: string;

  const post = (path: string, body: string): Promise<Response> =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    const nest = moduleRef.createNestApplication<NestExpressApplication>({
      logger: false,
      bodyParser: false,
    });
    nest.useBodyParser('json', { limit: '2kb' });
    configureHttp(nest);
    app = nest;
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl());
  });

  afterAll(async () => {
    await app?.close();
  });

  it('accepts a valid body', async () => {
    const res = await post('/t/pay', JSON.stringify({ amount: '10.5', currency: 'CNY' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ amount: '10.50' });
  });

  it('names every missing or bad field, nested ones by path', async () => {
    const res = await post('/t/pay', JSON.stringify({ currency: 'USD', lines: [{ invoiceId: 'i1' }, {}] }));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as {
      error: { code: string; details: { field: string; message: string }[] };
    };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.field).sort()).toEqual(['amount', 'currency', 'lines[1].invoiceId']);
    // Absent fields are said to be missing, once each, not refused by every rule they carry.
    expect(error.details.find((d) => d.field === 'lines[1].invoiceId')?.message).toBe(
      'lines[1].invoiceId is required',
    );
    expect(error.details.find((d) => d.field === 'amount')?.message).toBe('amount is required');
  });

  it('refuses unknown properties rather than dropping them', async () => {
    const res = await post('/t/pay', JSON.stringify({ amount: '1', currency: 'CNY', amuont: '2' }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('amuont');
  });

  it('answers 422 naming the field for a bad amount', async () => {
    const res = await post('/t/pay', JSON.stringify({ amount: '1e3', currency: 'CNY' }));
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; details: { field: string }[] } };
    expect(error.code).toBe('INVALID_AMOUNT');
    expect(error.details[0]?.field).toBe('amount');
  });

  it('answers 413 for an oversized body and 400 for malformed JSON', async () => {
    expect(
      (await post('/t/pay', JSON.stringify({ amount: '1', currency: 'CNY', pad: 'x'.repeat(5000) }))).status,
    ).toBe(413);
    const malformed = await post('/t/pay', '{"amount":');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/JSON/) },
    });
  });

  it('maps a domain exception to its status and code', async () => {
    const res = await fetch(`${url}/t/conflict`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: {
        code: 'DUPLICATE_PAYMENT',
        message: 'payment p1 exists',
        details: [{ field: 'reference', message: 'taken' }],
      },
    });
  });

  it('hides the message of an unexpected error', async () => {
    const res = await fetch(`${url}/t/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error', details: [] } });
  });

  it('answers 404 in the same shape', async () => {
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
