import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BOUNDARY_LEVELS, type BoundaryLevel } from '../boundaries/boundaries';

// Response shapes, for /api/docs only: the controller returns the shipped GeoJSON.

export class BoundaryPropertiesResponseDto {
  @ApiProperty({ example: 'CN-30', description: 'The roll-up key of GET /api/v1/map/regions to join on.' })
  key!: string;
  @ApiProperty({ example: '广东' }) name!: string;
  @ApiPropertyOptional({ example: '440000', description: 'GB/T 2260 code of a Chinese province or city.' })
  code?: string;
}

export class BoundaryGeometryResponseDto {
  @ApiProperty({ enum: ['Polygon', 'MultiPolygon'] }) type!: 'Polygon' | 'MultiPolygon';
  @ApiProperty({
    type: 'array',
    items: {},
    description: 'GeoJSON coordinates ([longitude, latitude], WGS-84), rings of a polygon or polygons.',
  })
  coordinates!: unknown[];
}

export class BoundaryFeatureResponseDto {
  @ApiProperty({ enum: ['Feature'] }) type!: 'Feature';
  @ApiProperty({ example: 'CN-30' }) id!: string;
  @ApiProperty({ type: BoundaryPropertiesResponseDto }) properties!: BoundaryPropertiesResponseDto;
  @ApiProperty({ type: BoundaryGeometryResponseDto }) geometry!: BoundaryGeometryResponseDto;
}

export class BoundariesResponseDto {
  @ApiProperty({ enum: ['FeatureCollection'] }) type!: 'FeatureCollection';
  @ApiProperty({ enum: BOUNDARY_LEVELS }) level!: BoundaryLevel;
  @ApiProperty({ example: 'Natural Earth 1:110m countries (public domain) from world-atlas 2.0.2; WGS-84.' })
  source!: string;
  @ApiProperty({ type: [BoundaryFeatureResponseDto] }) features!: BoundaryFeatureResponseDto[];
}
