import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_STREAM_SECONDS = 3600;
export const DEFAULT_STREAM_SECONDS = 900;

export class GetMapLiveRequestDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_STREAM_SECONDS,
    default: DEFAULT_STREAM_SECONDS,
    description:
      'Seconds after which the server ends the stream; EventSource reconnects by itself, and the ' +
      'reconnection is authenticated again (an expired session or a changed territory takes effect).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `maxSeconds must be an integer from 1 to ${MAX_STREAM_SECONDS}` })
  @Min(1, { message: `maxSeconds must be an integer from 1 to ${MAX_STREAM_SECONDS}` })
  @Max(MAX_STREAM_SECONDS, { message: `maxSeconds must be an integer from 1 to ${MAX_STREAM_SECONDS}` })
  maxSeconds?: number;
}
