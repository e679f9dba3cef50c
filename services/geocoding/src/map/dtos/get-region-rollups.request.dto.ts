import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { parseStatuses } from '../map-query';
import { ParsesWith } from './query-validators';

export const ROLLUP_LEVELS = ['country', 'province', 'city', 'district'] as const;

export class GetRegionRollupsRequestDto {
  @ApiPropertyOptional({
    enum: ROLLUP_LEVELS,
    default: 'province',
    description:
      'Roll up per country, per province / state (first-level subdivision), per city, or per district ' +
      '(GB/T 2260 county-level code where the geocoder resolved one; customers located only to the city ' +
      'form one entry per city with districtCode null).',
  })
  @IsOptional()
  @IsIn(ROLLUP_LEVELS, { message: `level must be one of ${ROLLUP_LEVELS.join(', ')}` })
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
