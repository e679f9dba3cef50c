import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../delivery.entity';

/** GET /api/v1/deliveries: at least one of invoiceId and customerId, optionally a status. */
export class ListDeliveriesRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Deliveries of the reminders of one invoice.' })
  @IsOptional()
  @IsUUID()
  invoiceId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Deliveries of all of one customer's reminders (bounces and failures per customer).",
  })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
