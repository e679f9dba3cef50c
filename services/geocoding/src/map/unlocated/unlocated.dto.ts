import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';

/** Why a customer has no pin (geocode-failed reasons; NOT_GEOCODED before any address event). */
export const NOT_LOCATED_REASONS = [
  'NO_MATCH',
  'COUNTRY_ONLY',
  'AMBIGUOUS',
  'INCOMPLETE_ADDRESS',
  'PROVIDER_UNAVAILABLE',
  'NOT_GEOCODED',
] as const;
export type NotLocatedReason = (typeof NOT_LOCATED_REASONS)[number];

export class GetUnlocatedRequestDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100, description: 'Page size.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 500' })
  @Min(1, { message: 'limit must be an integer from 1 to 500' })
  @Max(500, { message: 'limit must be an integer from 1 to 500' })
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.', maxLength: 200 })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export class UnlocatedCustomerDto {
  @ApiProperty() customerId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: NOT_LOCATED_REASONS }) reason!: NotLocatedReason;
  @ApiProperty({ nullable: true, type: String, description: 'As given, or as recognised (COUNTRY_ONLY).' })
  countryCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) region!: string | null;
  @ApiProperty({ nullable: true, type: String }) city!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) geocodedAt!: string | null;
}

export class UnlocatedCustomersResponseDto {
  @ApiProperty({ type: [UnlocatedCustomerDto] }) items!: UnlocatedCustomerDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
