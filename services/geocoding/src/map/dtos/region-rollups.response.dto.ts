import { ApiProperty } from '@nestjs/swagger';
import { MoneyResponseDto, StatusCountsResponseDto } from './map-customers.response.dto';
import { ROLLUP_LEVELS } from './get-region-rollups.request.dto';

// Response shapes, for /api/docs only: the controller returns the use case's RegionRollups.

export class LatLngResponseDto {
  @ApiProperty({ example: 31.2304 }) lat!: number;
  @ApiProperty({ example: 121.4737 }) lng!: number;
}

export class RegionRollupResponseDto {
  @ApiProperty({
    example: 'CN-23',
    description:
      '"CN" for a country, "CN-23" for a province, "CN-?" for customers located only to the country, ' +
      '"CN-30/广州市" for a city, "CN-30/广州市/440106" for a district ("/?" when no district is known).',
  })
  key!: string;
  @ApiProperty({ example: 'CN' }) countryCode!: string;
  @ApiProperty({ type: String, nullable: true, example: '23', description: 'GeoNames admin1 code.' })
  regionCode!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '广州市',
    description: 'At city and district level.',
  })
  city!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '440106',
    description: 'At district level: GB/T 2260 code; null for customers located no finer than the city.',
  })
  districtCode!: string | null;
  @ApiProperty({ example: 'Shanghai' }) name!: string;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: StatusCountsResponseDto }) counts!: StatusCountsResponseDto;
  @ApiProperty({ type: LatLngResponseDto, description: 'Mean position of its customers.' })
  center!: LatLngResponseDto;
  @ApiProperty({ type: [MoneyResponseDto], description: 'One per currency, never added across currencies.' })
  outstanding!: MoneyResponseDto[];
  @ApiProperty({ type: [MoneyResponseDto] }) overdue!: MoneyResponseDto[];
}

export class RegionRollupsResponseDto {
  @ApiProperty({ enum: ROLLUP_LEVELS }) level!: (typeof ROLLUP_LEVELS)[number];
  @ApiProperty({ type: [RegionRollupResponseDto] }) regions!: RegionRollupResponseDto[];
  @ApiProperty({
    type: 'integer',
    description: 'Customers without a location (not geocoded, or not locatable).',
  })
  unlocated!: number;
}
