import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { GEOCODE_PRECISIONS, type GeocodePrecision } from '../../geocoder/geocoding-provider';
import { PIN_STATUSES, PIN_TIERS, type PinStatus, type PinTier } from '../customer-pin.entity';

// Response shapes, for /api/docs only: the controller returns the use case's GeoJSON.

export class MoneyResponseDto {
  @ApiProperty({ example: '1234.50' }) amount!: string;
  @ApiProperty({ example: 'CNY' }) currency!: string;
}

export class StatusCountsResponseDto {
  @ApiProperty({ type: 'integer' }) paid!: number;
  @ApiProperty({ type: 'integer' }) unpaid!: number;
  @ApiProperty({ type: 'integer' }) overdue!: number;
}

export class PinBalanceResponseDto {
  @ApiProperty({ type: MoneyResponseDto }) outstanding!: MoneyResponseDto;
  @ApiProperty({ type: MoneyResponseDto }) overdue!: MoneyResponseDto;
}

/** One located customer. */
export class PinPropertiesResponseDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PIN_STATUSES }) status!: PinStatus;
  @ApiProperty({ example: '#c62828' }) color!: string;
  @ApiProperty({ enum: PIN_TIERS }) tier!: PinTier;
  @ApiProperty({ type: String, nullable: true, example: 'A', description: "The enterprise's credit grade." })
  creditGrade!: string | null;
  @ApiProperty({
    type: 'integer',
    description: 'Whole days since the customer became overdue; 0 when not overdue.',
  })
  daysOverdue!: number;
  @ApiProperty({
    type: MoneyResponseDto,
    nullable: true,
    description: 'What the customer owes when it owes in one currency; null when nothing or several.',
  })
  outstanding!: MoneyResponseDto | null;
  @ApiProperty({ type: MoneyResponseDto, nullable: true }) overdue!: MoneyResponseDto | null;
  @ApiProperty({ type: [PinBalanceResponseDto], description: 'One per currency the customer owes in.' })
  balances!: PinBalanceResponseDto[];
  @ApiProperty({ enum: GEOCODE_PRECISIONS }) precision!: GeocodePrecision;
  @ApiProperty({ example: 'offline' }) source!: string;
}

/** Nearby customers drawn as one circle at the zoom asked for. */
export class ClusterPropertiesResponseDto {
  @ApiProperty({ enum: [true] }) cluster!: true;
  @ApiProperty({
    type: 'integer',
    description: "Up to zoom 12 the grid cell of the cluster at this zoom; above, supercluster's id.",
  })
  clusterId!: number;
  @ApiProperty({ type: 'integer' }) point_count!: number;
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'integer' }], example: '1.2k' })
  point_count_abbreviated!: string | number;
  @ApiProperty({ type: StatusCountsResponseDto }) counts!: StatusCountsResponseDto;
  @ApiProperty({
    enum: PIN_STATUSES,
    description: 'What most of its customers are (ties: overdue, then unpaid).',
  })
  status!: PinStatus;
  @ApiProperty({ example: '#f9a825' }) color!: string;
  @ApiProperty({ type: [MoneyResponseDto], description: 'Sums over its customers, one per currency.' })
  outstanding!: MoneyResponseDto[];
  @ApiProperty({ type: [MoneyResponseDto] }) overdue!: MoneyResponseDto[];
}

export class PointResponseDto {
  @ApiProperty({ enum: ['Point'] }) type!: 'Point';
  @ApiProperty({ type: [Number], minItems: 2, maxItems: 2, description: '[longitude, latitude], WGS 84' })
  coordinates!: number[];
}

@ApiExtraModels(PinPropertiesResponseDto, ClusterPropertiesResponseDto)
export class MapFeatureResponseDto {
  @ApiProperty({ enum: ['Feature'] }) type!: 'Feature';
  @ApiProperty({ type: PointResponseDto }) geometry!: PointResponseDto;
  @ApiProperty({
    oneOf: [
      { $ref: getSchemaPath(PinPropertiesResponseDto) },
      { $ref: getSchemaPath(ClusterPropertiesResponseDto) },
    ],
    description: 'A customer, or a cluster of customers (cluster: true) when a zoom was given.',
  })
  properties!: PinPropertiesResponseDto | ClusterPropertiesResponseDto;
}

export class MapCustomersResponseDto {
  @ApiProperty({ enum: ['FeatureCollection'] }) type!: 'FeatureCollection';
  @ApiProperty({ type: [MapFeatureResponseDto] }) features!: MapFeatureResponseDto[];
}
