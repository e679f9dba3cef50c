import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_METHODS, PAYMENT_SOURCES, PAYMENT_STATUSES } from '../payment.entity';
import { MoneyDto } from './record-payment.request.dto';

export class AllocationResponseDto {
  @ApiProperty()
  invoiceId!: string;

  @ApiProperty({ example: 'INV-2025-000123' })
  invoiceNumber!: string;

  @ApiProperty({ type: MoneyDto, description: 'Applied to the invoice (after any rejection by invoicing).' })
  applied!: MoneyDto;

  @ApiProperty({
    enum: ['explicit', 'invoice_reference', 'exact_amount', 'amount_combination', 'oldest_due_first'],
  })
  rule!: string;

  @ApiPropertyOptional({ description: "Cash application's confidence, 0..1, when its engine decided." })
  confidence?: number;

  @ApiPropertyOptional({ type: [String], description: 'Why this invoice, for people.' })
  evidence?: string[];

  @ApiPropertyOptional({ enum: [true], description: 'Present when a reversal undid it.' })
  reversed?: boolean;

  @ApiPropertyOptional({
    type: MoneyDto,
    description: 'Part invoicing could not apply; it is back in unapplied. Present only when not zero.',
  })
  rejected?: MoneyDto;

  @ApiPropertyOptional({ example: 'exceeds_open_amount' })
  rejectionReason?: string;
}

export class PayerDto {
  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true })
  account!: string | null;
}

export class BankReferenceDto {
  @ApiProperty({ type: String, nullable: true })
  endToEndId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  transactionId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  statementId!: string | null;

  @ApiProperty({ type: Number, nullable: true })
  lineNo!: number | null;
}

export class SuggestedAllocationDto {
  @ApiProperty()
  invoiceId!: string;

  @ApiProperty()
  invoiceNumber!: string;

  @ApiProperty({ type: MoneyDto })
  amount!: MoneyDto;

  @ApiProperty()
  rule!: string;

  @ApiProperty()
  confidence!: number;

  @ApiProperty({ type: [String] })
  evidence!: string[];
}

export class SuggestionDto {
  @ApiProperty({ type: String, nullable: true })
  customerId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'bank_account' })
  customerRule!: string | null;

  @ApiProperty({ type: [SuggestedAllocationDto] })
  allocations!: SuggestedAllocationDto[];
}

export class ReviewDto {
  @ApiProperty({ type: [String], example: ['below_threshold', 'ambiguous_customer'] })
  reasons!: string[];

  @ApiProperty({ type: SuggestionDto, nullable: true })
  suggestion!: SuggestionDto | null;

  @ApiProperty({ type: [String] })
  evidence!: string[];
}

export class ReversalDto {
  @ApiProperty()
  at!: string;

  @ApiProperty({ example: 'returned' })
  reason!: string;

  @ApiProperty()
  detail!: string;

  @ApiProperty()
  by!: string;
}

export class PaymentResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Null while a payment waits for review unidentified.',
  })
  customerId!: string | null;

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

  @ApiProperty({ enum: PAYMENT_SOURCES })
  source!: string;

  @ApiProperty({
    type: MoneyDto,
    description: 'amount − sum(allocations.applied) − refunded: credit of the customer (0 once reversed).',
  })
  unapplied!: MoneyDto;

  @ApiProperty({ type: MoneyDto, description: 'Paid back to the customer out of the unapplied part.' })
  refunded!: MoneyDto;

  @ApiProperty({ enum: PAYMENT_STATUSES })
  status!: string;

  @ApiPropertyOptional({ type: PayerDto })
  payer?: PayerDto;

  @ApiPropertyOptional({ type: BankReferenceDto })
  bank?: BankReferenceDto;

  @ApiPropertyOptional({ description: "Cash application's overall confidence, 0..1." })
  confidence?: number;

  @ApiPropertyOptional({ type: ReviewDto, description: 'Only while status is needs_review.' })
  review?: ReviewDto;

  @ApiPropertyOptional()
  reviewedBy?: string;

  @ApiPropertyOptional()
  reviewedAt?: string;

  @ApiPropertyOptional({ type: ReversalDto })
  reversal?: ReversalDto;
}

export class PaymentPageDto {
  @ApiProperty({ type: [PaymentResponseDto] })
  items!: PaymentResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
