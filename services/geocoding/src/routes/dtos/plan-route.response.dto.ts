import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PIN_STATUSES, type PinStatus } from '../../map/customer-pin.entity';
import { MoneyResponseDto } from '../../map/dtos/map-customers.response.dto';

// Response shapes, for /api/docs only: the controller returns the use case's PlannedRoute.

export class RoutePointResponseDto {
  @ApiProperty({ example: 22.5431 }) lat!: number;
  @ApiProperty({ example: 114.0579 }) lng!: number;
}

export class RouteStopResponseDto {
  @ApiProperty({ type: 'integer', example: 1, description: '1 for the first stop.' }) sequence!: number;
  @ApiProperty({ example: '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02' }) customerId!: string;
  @ApiProperty({ example: 'Shenzhen Trading Co.' }) name!: string;
  @ApiProperty({ enum: PIN_STATUSES }) status!: PinStatus;
  @ApiProperty({ example: 22.5431 }) lat!: number;
  @ApiProperty({ example: 114.0579 }) lng!: number;
  @ApiProperty({
    example: 3.412,
    description: 'Great-circle km from the previous stop (the first: from the start).',
  })
  legKm!: number;
  @ApiProperty({ example: 12.9, description: 'Great-circle km from the start.' }) cumulativeKm!: number;
  @ApiProperty({
    type: [MoneyResponseDto],
    description: 'Overdue, one per currency: what the visit should collect.',
  })
  expected!: MoneyResponseDto[];
  @ApiProperty({ type: [MoneyResponseDto], description: 'Outstanding, one per currency.' })
  outstanding!: MoneyResponseDto[];
  @ApiPropertyOptional({ example: '09:41', description: 'With a schedule: arrival, HH:MM.' })
  arrival?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'Minutes waited for the window to open.' })
  waitMinutes?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Minutes after the window closed; 0 when kept.' })
  lateMinutes?: number;
  @ApiPropertyOptional({ example: '09:00-12:00', description: 'The time window asked for this stop.' })
  window?: string;
}

export class UnlocatedCustomerResponseDto {
  @ApiProperty() customerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({
    example: 'not_found',
    description: 'Why it has no pin: the geocoder failure reason, or "not_geocoded" (no address yet).',
  })
  reason!: string;
}

export class RouteViolationResponseDto {
  @ApiProperty() customerId!: string;
  @ApiProperty({ type: 'integer' }) lateMinutes!: number;
}

export class PlannedRouteResponseDto {
  @ApiProperty({ type: RoutePointResponseDto }) start!: RoutePointResponseDto;
  @ApiProperty({
    type: RoutePointResponseDto,
    nullable: true,
    description: 'null: the route ends at its last stop.',
  })
  end!: RoutePointResponseDto | null;
  @ApiProperty({ type: [RouteStopResponseDto] }) stops!: RouteStopResponseDto[];
  @ApiProperty({ example: 0, description: 'From the last stop to the end, km.' }) finishKm!: number;
  @ApiProperty({ example: 42.7, description: 'Great-circle (haversine) km of the whole route.' })
  totalKm!: number;
  @ApiProperty({
    type: [MoneyResponseDto],
    description: 'Overdue over the stops, one per currency, never added across.',
  })
  totalExpected!: MoneyResponseDto[];
  @ApiProperty({ type: [MoneyResponseDto], description: 'Outstanding over the stops, one per currency.' })
  totalOutstanding!: MoneyResponseDto[];
  @ApiProperty({ description: 'No time window is broken (always true without windows).' }) feasible!: boolean;
  @ApiProperty({ type: [RouteViolationResponseDto] }) violations!: RouteViolationResponseDto[];
  @ApiProperty({
    type: [UnlocatedCustomerResponseDto],
    description: 'Asked for, or matching, but without a pin.',
  })
  unlocated!: UnlocatedCustomerResponseDto[];
  @ApiProperty({ type: 'integer', description: 'Located customers matching but left out by limit.' })
  leftOut!: number;
  @ApiProperty({ example: 'nearest-neighbour + 2-opt + or-opt + iterated local search (30 kicks)' })
  algorithm!: string;
  @ApiProperty({ example: 84.2, description: 'Time the solver took, ms.' }) computeMs!: number;
}
