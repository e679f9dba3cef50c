import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoice-status';
import { MoneyDto } from './money.dto';
import { SourceRefDto } from './upsert-invoice.request.dto';

// Response shapes, for /api/docs only: the controller returns InvoiceView objects.

export class InvoiceLineResponseDto {
  @ApiProperty() lineNumber!: number;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Decimal string; empty when the source had none' }) quantity!: string;
  @ApiPropertyOptional({ type: MoneyDto }) unitPrice?: MoneyDto;
  @ApiProperty({ type: MoneyDto }) amount!: MoneyDto;
  @ApiPropertyOptional({ type: MoneyDto }) tax?: MoneyDto;
}

export class AppliedPaymentResponseDto {
  @ApiProperty() paymentId!: string;
  @ApiProperty({ type: MoneyDto }) applied!: MoneyDto;
}

export class InvoiceResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ type: SourceRefDto }) source!: SourceRefDto;
  @ApiProperty({
    type: SourceRefDto,
    nullable: true,
    description: "The customer's source record when the invoice named the customer by it",
  })
  customerSource!: SourceRefDto | null;
  @ApiProperty() number!: string;
  @ApiProperty({ format: 'date' }) issueDate!: string;
  @ApiProperty({ format: 'date' }) dueDate!: string;
  @ApiProperty({ type: MoneyDto }) total!: MoneyDto;
  @ApiProperty({ type: MoneyDto }) openAmount!: MoneyDto;
  @ApiProperty({ enum: INVOICE_STATUSES }) status!: InvoiceStatus;
  @ApiProperty({ description: "The customer's IANA time zone: overdue starts the day after dueDate there" })
  timeZone!: string;
  @ApiProperty({ type: [InvoiceLineResponseDto] }) lines!: InvoiceLineResponseDto[];
  @ApiProperty({ type: [AppliedPaymentResponseDto] }) payments!: AppliedPaymentResponseDto[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) voidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) voidReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class InvoicePageResponseDto {
  @ApiProperty({ type: [InvoiceResponseDto] }) items!: InvoiceResponseDto[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Offset of the next page; null on the last' })
  nextOffset!: number | null;
}
