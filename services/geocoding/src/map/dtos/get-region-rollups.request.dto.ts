import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { parseStatuses } from '../map-query';
import { ParsesWith } from './query-validators';

export const ROLLUP_LEVELS = ['country', 'province'] as const;

export class GetRegionRollupsRequestDto {
  @ApiPropertyOptional({
    enum: ROLLUP_LEVELS,
    default: 'province',
    description: 'Roll up per country, or per province / state (first-level subdivision).',
  })
  @IsOptional()
  @IsIn(ROLLUP_LEVELS, { message: 'level must be one of country, province' })
  level?: (typeof ROLLUP_LEVELS)[number];

  @ApiPropertyOptional({ description: 'Only this country (ISO 3166-1 alpha-2).', example: 'CN' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "CN"' })
  country?: string;

  @ApiPropertyOptional({
    description: 'Only customers with these statuses, comma-separated.',
    example: 'overdue',
    maxLength: 100,
  })
  @IsOptional()
  @MaxLength(100)
  @ParsesWith(parseStatuses)
  status?: string;
}
