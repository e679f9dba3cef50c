import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of POST /api/v1/invoices/{id}/void; may be empty. */
export class VoidInvoiceRequestDto {
  @ApiPropertyOptional({ example: 'Issued twice in the ERP' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}
