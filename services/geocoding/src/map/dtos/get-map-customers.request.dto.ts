import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, MaxLength } from 'class-validator';
import {
  parseBbox,
  parseGrades,
  parseMinOverdue,
  parseRegion,
  parseSources,
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

  @ApiPropertyOptional({
    description: "Only customers with these credit grades (the enterprise's own), comma-separated.",
    example: 'C,D',
    maxLength: 500,
  })
  @IsOptional()
  @MaxLength(500)
  @ParsesWith(parseGrades)
  grade?: string;

  @ApiPropertyOptional({
    description:
      'Only customers of this region, by its key in GET /api/v1/map/regions: a country ("CN"), a province ' +
      '("CN-30") or a city ("CN-30/Guangzhou").',
    example: 'CN-30',
    maxLength: 130,
  })
  @IsOptional()
  @MaxLength(130)
  @ParsesWith(parseRegion)
  region?: string;

  @ApiPropertyOptional({
    description: 'Only customers with a record in one of these source ERP systems, comma-separated.',
    example: 'sap,kingdee',
    maxLength: 500,
  })
  @IsOptional()
  @MaxLength(500)
  @ParsesWith(parseSources)
  source?: string;
}
