import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_METHODS } from '../payment.entity';
import { MoneyDto } from './record-payment.request.dto';

export class AllocationResponseDto {
  @ApiProperty()
  invoiceId!: string;

  @ApiProperty({ example: 'INV-2025-000123' })
  invoiceNumber!: string;

  @ApiProperty({ type: MoneyDto, description: 'Applied to the invoice (after any rejection by invoicing).' })
  applied!: MoneyDto;

  @ApiProperty({ enum: ['explicit', 'oldest_due_first'] })
  rule!: string;

  @ApiPropertyOptional({
    type: MoneyDto,
    description: 'Part invoicing could not apply; it is back in unapplied. Present only when not zero.',
  })
  rejected?: MoneyDto;

  @ApiPropertyOptional({ example: 'exceeds_open_amount' })
  rejectionReason?: string;
}

export class PaymentResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  customerId!: string;

  @ApiProperty({ type: MoneyDto })
  amount!: MoneyDto;

  @ApiProperty({ example: '2025-03-31T08:15:30.000Z' })
  receivedAt!: string;

  @ApiProperty({ enum: PAYMENT_METHODS })
  method!: string;

  @ApiProperty()
  reference!: string;

  @ApiProperty({ type: [AllocationResponseDto] })
  allocations!: AllocationResponseDto[];

  @ApiProperty({ type: MoneyDto, description: 'amount − sum(allocations.applied): credit of the customer.' })
  unapplied!: MoneyDto;

  @ApiProperty({ enum: ['received'] })
  status!: string;
}
