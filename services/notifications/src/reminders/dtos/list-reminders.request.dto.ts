import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** GET /api/v1/reminders: exactly one of the two filters. */
export class ListRemindersRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Reminders of one invoice.' })
  @IsOptional()
  @IsUUID()
  invoiceId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Reminders of all invoices of one customer.' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}
