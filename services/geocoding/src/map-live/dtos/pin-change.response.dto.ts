import { ApiProperty } from '@nestjs/swagger';
import { PIN_STATUSES, type PinStatus } from '../../map/customer-pin.entity';

/** The data of one `event: pin` of GET /api/v1/map/live (for /api/docs). */
export class PinChangeResponseDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ enum: PIN_STATUSES }) status!: PinStatus;
  @ApiProperty({ example: '#2e7d32' }) color!: string;
  @ApiProperty({ type: Number, nullable: true, example: 22.5431 }) lat!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 113.9466 }) lng!: number | null;
  @ApiProperty({
    example: '7',
    description: 'Customer version of this status; keep the newest per customer.',
  })
  version!: string;
}
