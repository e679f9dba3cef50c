import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoice-status';

// `?customerId=&status=` (empty values, as a form or a proxy may send them) means no filter.
export const MAX_OFFSET = 100_000;

const EmptyIsAbsent = () => Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));

/** Query of GET /api/v1/invoices. */
export class ListInvoicesRequestDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @EmptyIsAbsent()
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @EmptyIsAbsent()
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  // Postgres still reads every skipped row: deeper than this is a crawl, not paging.
  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET)
  offset?: number;
}
