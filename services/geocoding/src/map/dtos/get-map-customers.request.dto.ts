import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, MaxLength } from 'class-validator';
import { parseBbox, parseStatuses, parseZoom } from '../map-query';
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
}
