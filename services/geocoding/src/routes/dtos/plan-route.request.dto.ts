import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN } from '@duemap/events';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PIN_STATUSES, type PinStatus } from '../../map/customer-pin.entity';

/** The most stops one route plans: a day's visits, and what the solver plans well within 1 s. */
export const MAX_ROUTE_STOPS = 200;
const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export class PointDto {
  @ApiProperty({ example: 22.5431, minimum: -90, maximum: 90, description: 'WGS 84 latitude.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat!: number;

  @ApiProperty({ example: 114.0579, minimum: -180, maximum: 180, description: 'WGS 84 longitude.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng!: number;
}

export class MinOverdueDto {
  @ApiProperty({ example: '1000.00', maxLength: 40, description: 'Decimal string.' })
  @IsString()
  @MaxLength(40)
  amount!: string;

  @ApiProperty({ example: 'CNY', maxLength: 10 })
  @IsString()
  @MaxLength(10)
  currency!: string;
}

export class RouteFilterDto {
  @ApiPropertyOptional({ enum: PIN_STATUSES, isArray: true, maxItems: 3, example: ['overdue'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(PIN_STATUSES, { each: true })
  status?: PinStatus[];

  @ApiPropertyOptional({
    type: [Number],
    minItems: 4,
    maxItems: 4,
    example: [113.7, 22.4, 114.4, 22.9],
    description: '[minLng, minLat, maxLng, maxLat]; minLng > maxLng crosses the antimeridian.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(4)
  @ArrayMaxSize(4)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  bbox?: number[];

  @ApiPropertyOptional({ example: 'CN', description: 'ISO 3166-1 alpha-2.' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as "CN"' })
  country?: string;

  @ApiPropertyOptional({
    example: '30',
    maxLength: 20,
    description: 'Province / state code as the map holds it (GeoNames admin1); with country.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  // Codes only (GeoNames admin1: "30", "CA", "ENG"): nothing a text column would refuse (NUL).
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'region must be a region code such as "30"' })
  region?: string;

  @ApiPropertyOptional({
    type: MinOverdueDto,
    description: 'Only customers owing at least this much overdue in this currency.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MinOverdueDto)
  minOverdue?: MinOverdueDto;
}

export class TimeWindowDto {
  @ApiProperty({ example: '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02' })
  @IsString()
  @Matches(ID_PATTERN, { message: 'customerId must be a Duemap id' })
  customerId!: string;

  @ApiProperty({ example: '09:00', description: 'Arrive no earlier (the collector waits), HH:MM local.' })
  @Matches(HH_MM, { message: 'earliest must be HH:MM' })
  earliest!: string;

  @ApiProperty({ example: '12:00', description: 'Arrive no later, HH:MM local; later is a violation.' })
  @Matches(HH_MM, { message: 'latest must be HH:MM' })
  latest!: string;
}

export class ScheduleDto {
  @ApiPropertyOptional({ example: '08:30', default: '09:00', description: 'Leaving the start, HH:MM local.' })
  @IsOptional()
  @Matches(HH_MM, { message: 'departure must be HH:MM' })
  departure?: string;

  @ApiPropertyOptional({
    example: 30,
    default: 30,
    minimum: 1,
    maximum: 200,
    description: 'Mean speed, km/h.',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(200)
  speedKmh?: number;

  @ApiPropertyOptional({
    example: 15,
    default: 15,
    minimum: 0,
    maximum: 480,
    description: 'Minutes per visit.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(480)
  serviceMinutes?: number;
}

export const WEIGHTINGS = ['none', 'overdue'] as const;
export type Weighting = (typeof WEIGHTINGS)[number];

export class PlanRouteRequestDto {
  @ApiProperty({ type: PointDto, description: 'Where the collector sets out from.' })
  @IsObject()
  @ValidateNested()
  @Type(() => PointDto)
  start!: PointDto;

  @ApiPropertyOptional({
    type: PointDto,
    description: 'Where the route must finish; not with returnToStart.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PointDto)
  end?: PointDto;

  @ApiPropertyOptional({ default: false, description: 'Come back to the start after the last stop.' })
  @IsOptional()
  @IsBoolean()
  returnToStart?: boolean;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_ROUTE_STOPS,
    minItems: 1,
    description:
      'The customers to visit; or give filter. Ids outside your territory answer 404 like unknown ones.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'customerIds must name at least one customer' })
  @ArrayMaxSize(MAX_ROUTE_STOPS, { message: `customerIds must name at most ${MAX_ROUTE_STOPS} customers` })
  @Matches(ID_PATTERN, { each: true, message: 'each of customerIds must be a Duemap id' })
  customerIds?: string[];

  @ApiPropertyOptional({
    type: RouteFilterDto,
    description: 'The customers to visit, by filter; or give customerIds.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RouteFilterDto)
  filter?: RouteFilterDto;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_ROUTE_STOPS,
    default: MAX_ROUTE_STOPS,
    description:
      'At most this many stops; past it the most overdue (weighting overdue) or the nearest are kept.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ROUTE_STOPS, { message: `limit must not be greater than ${MAX_ROUTE_STOPS}` })
  limit?: number;

  @ApiPropertyOptional({
    enum: WEIGHTINGS,
    default: 'none',
    description:
      'overdue: reach the customers with more overdue earlier (weighted latency: each stop weighs its share ' +
      'of the overdue amounts, per currency, never converted).',
  })
  @IsOptional()
  @IsIn(WEIGHTINGS)
  weighting?: Weighting;

  @ApiPropertyOptional({
    type: [TimeWindowDto],
    maxItems: MAX_ROUTE_STOPS,
    description: 'Per stop; a window of a customer that is not routed (unlocated, left out) is ignored.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ROUTE_STOPS)
  @ValidateNested({ each: true })
  @Type(() => TimeWindowDto)
  timeWindows?: TimeWindowDto[];

  @ApiPropertyOptional({
    type: ScheduleDto,
    description: 'Departure, speed and visit length for arrival times.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleDto)
  schedule?: ScheduleDto;
}
