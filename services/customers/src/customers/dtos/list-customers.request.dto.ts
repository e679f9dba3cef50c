import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import type { ArStatusName, LocationStateName } from '../customer.entity';
import { LOCATION_STATES } from '../customer-record';

export const AR_STATUSES: readonly ArStatusName[] = ['paid', 'unpaid', 'overdue'];

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export class ListCustomersRequestDto {
  @ApiPropertyOptional({
    description: 'paid, unpaid or overdue; several separated by commas ("unpaid,overdue").',
    example: 'overdue',
  })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' ? v.split(',').map((s) => s.trim().toLowerCase()) : v;
  })
  @IsOptional()
  @ArrayMaxSize(10, { message: 'status may list at most 10 statuses' })
  @IsIn(AR_STATUSES, { each: true, message: 'status must be paid, unpaid or overdue (comma-separated)' })
  status?: ArStatusName[];

  @ApiPropertyOptional({
    description:
      'Location state: located, not_located or pending; several separated by commas. ' +
      '"not_located" lists the addresses geocoding could not place, to correct them.',
    example: 'not_located',
  })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' ? v.split(',').map((s) => s.trim().toLowerCase()) : v;
  })
  @IsOptional()
  @ArrayMaxSize(3, { message: 'location may list at most 3 states' })
  @IsIn(LOCATION_STATES, {
    each: true,
    message: 'location must be located, not_located or pending (comma-separated)',
  })
  location?: LocationStateName[];

  @ApiPropertyOptional({ description: 'Part of the name, tax id or a source external id.', example: '南山' })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' ? v.trim() : v;
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'Country code ("CN") or province ("广东省").', example: '广东省' })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' ? v.trim() : v;
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({ description: 'Page size, 1-200.', default: 50 })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
  })
  @IsOptional()
  @IsInt({ message: 'limit must be an integer between 1 and 200' })
  @Min(1, { message: 'limit must be an integer between 1 and 200' })
  @Max(200, { message: 'limit must be an integer between 1 and 200' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @Transform(({ value }: { value: unknown }) => blankToUndefined(value))
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;
}
