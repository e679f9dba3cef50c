import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { BOUNDARY_LEVELS, PROVINCE_REGIONS, type BoundaryLevel } from '../boundaries/boundaries';

export class GetBoundariesRequestDto {
  @ApiPropertyOptional({
    enum: BOUNDARY_LEVELS,
    default: 'country',
    description: 'World countries, or the provinces or prefecture-level cities of a region (shipped: CN).',
  })
  @IsOptional()
  @IsIn(BOUNDARY_LEVELS, { message: `level must be one of ${BOUNDARY_LEVELS.join(', ')}` })
  level?: BoundaryLevel;

  @ApiPropertyOptional({
    enum: PROVINCE_REGIONS,
    description:
      'With level=province or city: the country whose provinces or cities to draw (ISO 3166-1 alpha-2).',
    example: 'CN',
  })
  @IsOptional()
  @IsIn(PROVINCE_REGIONS, {
    message: `region must be one of ${PROVINCE_REGIONS.join(', ')}: province and city boundaries are shipped for those only`,
  })
  region?: (typeof PROVINCE_REGIONS)[number];
}
