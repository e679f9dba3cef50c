import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ID_PATTERN } from '@duemap/events';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { REVERSAL_REASONS, type ReversalReasonName } from '../payment-events';
import {
  PAYMENT_METHODS,
  PAYMENT_SOURCES,
  PAYMENT_STATUSES,
  type PaymentMethodName,
} from '../payment.entity';
import { AllocationRequestDto, MoneyDto } from './record-payment.request.dto';

export class ReversePaymentRequestDto {
  @ApiProperty({ enum: REVERSAL_REASONS, example: 'returned' })
  @IsIn(REVERSAL_REASONS)
  reason!: ReversalReasonName;

  @ApiPropertyOptional({ example: 'cheque 000123 returned unpaid (R01)', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  detail?: string;
}

export class RefundPaymentRequestDto {
  @ApiProperty({ type: MoneyDto, description: "Paid back out of the payment's unapplied part; positive." })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  method!: PaymentMethodName;

  @ApiPropertyOptional({ example: 'TRF-2026-12-07-001', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reference?: string;
}

export class ApplyReviewedPaymentRequestDto {
  @ApiProperty({ description: "The paying customer (the suggestion's, or another one)." })
  @IsString()
  @Matches(ID_PATTERN, { message: 'customerId must be a Duemap id' })
  customerId!: string;

  @ApiPropertyOptional({
    type: [AllocationRequestDto],
    description:
      "The split to apply. Omitted: the suggestion's allocations when the customer is the suggested one, " +
      "else the customer's open invoices oldest due first.",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AllocationRequestDto)
  allocations?: AllocationRequestDto[];
}

export class ListPaymentsRequestDto {
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES, description: 'needs_review: the exceptions worklist.' })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: (typeof PAYMENT_STATUSES)[number];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, { message: 'customerId must be a Duemap id' })
  customerId?: string;

  @ApiPropertyOptional({ enum: PAYMENT_SOURCES })
  @IsOptional()
  @IsIn(PAYMENT_SOURCES)
  source?: (typeof PAYMENT_SOURCES)[number];

  @ApiPropertyOptional({ description: 'Payments of one bank statement upload.' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'statementId must be a UUID',
  })
  statementId?: string;

  @ApiPropertyOptional({ description: '1..200, default 50', example: '50' })
  @IsOptional()
  @Matches(/^(?:[1-9]\d?|1\d\d|200)$/, { message: 'limit must be an integer from 1 to 200' })
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
