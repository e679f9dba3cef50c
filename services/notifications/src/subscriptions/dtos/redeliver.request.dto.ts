import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';

/** POST /api/v1/subscriptions/{id}/redeliver */
export class RedeliverRequestDto {
  @ApiPropertyOptional({
    description: 'Dead letters to deliver again (ids from the dead-letter list); absent: all of them.',
    type: [String],
    format: 'uuid',
    maxItems: 1000,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  deliveryIds?: string[];
}
