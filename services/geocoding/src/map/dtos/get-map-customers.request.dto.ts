import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, MaxLength } from 'class-validator';
import {
  parseBbox,
  parseMinOverdue,
  parseStatuses,
  parseTerritory,
  parseTiers,
  parseZoom,
} from '../map-query';
import { ParsesWith } from './query-validators';

export class GetMapCustomersRequestDto {
  @ApiPropertyOptional({
    description:
      'Box to show: "minLng,minLat,maxLng,maxLat" (WGS 84 degrees). minLng > maxLng crosses the antimeridian. Default: the world.',
    example: '73.5,18.1,135.1,53.6',
    maxLength: 200,
  })
  @IsOptional()
  @MaxLength(200)
  @ParsesWith(parseBbox)
  bbox?: string;

  @ApiPropertyOptional({
    description: 'Map zoom level (0-24, fractions are floored). When given, nearby pins are clustered.',
    example: '5',
    maxLength: 20,
  })
  @IsOptional()
  @MaxLength(20)
  @ParsesWith(parseZoom)
  zoom?: string;

  @ApiPropertyOptional({
    description: 'Only these statuses, comma-separated: paid, unpaid, overdue.',
    example: 'unpaid,overdue',
    maxLength: 100,
  })
  @IsOptional()
  @MaxLength(100)
  @ParsesWith(parseStatuses)
  status?: string;

  @ApiPropertyOptional({
    description: 'Only these service tiers, comma-separated: standard, vip.',
    example: 'vip',
    maxLength: 50,
  })
  @IsOptional()
  @MaxLength(50)
  @ParsesWith(parseTiers)
  tier?: string;

  @ApiPropertyOptional({
    description: 'Only customers overdue for at least this many whole days (0: every overdue customer).',
    example: '30',
    maxLength: 10,
  })
  @IsOptional()
  @MaxLength(10)
  @ParsesWith(parseMinOverdue)
  minOverdue?: string;

  @ApiPropertyOptional({
    description: "Only customers of this sales territory (the customers service's sales_territory).",
    example: 'south-china',
    maxLength: 100,
  })
  @IsOptional()
  @MaxLength(100)
  @ParsesWith(parseTerritory)
  territory?: string;
}
