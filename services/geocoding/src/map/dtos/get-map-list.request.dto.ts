import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { LIST_SORTS, parseCurrency, type ListSort } from '../map-query';
import { GetMapCustomersRequestDto } from './get-map-customers.request.dto';
import { ParsesWith } from './query-validators';

export const MAX_LIST_LIMIT = 500;

/** GET /api/v1/map/list: the filters of GET /api/v1/map/customers, a sort and a page. */
export class GetMapListRequestDto extends GetMapCustomersRequestDto {
  @ApiPropertyOptional({
    enum: LIST_SORTS,
    default: 'id',
    description:
      'id: customer id order (stable paging of a view). priority: days overdue × overdue amount in ' +
      '`currency`, highest first (the collector worklist; customers not overdue in it come last).',
  })
  @IsOptional()
  @IsIn(LIST_SORTS, { message: `sort must be one of ${LIST_SORTS.join(', ')}` })
  sort?: ListSort;

  @ApiPropertyOptional({
    description: 'The currency sort=priority ranks by (amounts are never added across currencies).',
    default: 'CNY',
    maxLength: 3,
  })
  @IsOptional()
  @ParsesWith(parseCurrency)
  currency?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIST_LIMIT, default: 50, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
  @Min(1, { message: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
  @Max(MAX_LIST_LIMIT, { message: `limit must be an integer from 1 to ${MAX_LIST_LIMIT}` })
  limit?: number;

  @ApiPropertyOptional({
    description: 'nextCursor of the previous page (same filters and sort).',
    maxLength: 400,
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}
