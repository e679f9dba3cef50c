import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ROTATION_GRACE_SECONDS } from '../api-key-registry';

export class RotateApiKeyRequestDto {
  @ApiPropertyOptional({
    example: 3600,
    default: 0,
    maximum: MAX_ROTATION_GRACE_SECONDS,
    description: 'Seconds the old key keeps working beside the new one (at most a day); 0: it stops now.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  graceSeconds?: number;
}
