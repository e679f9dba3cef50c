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
  IsRFC3339,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PAYMENT_METHODS, type PaymentMethodName } from '../payment.entity';

/**
 * `{"amount":"1234.50","currency":"CNY"}`. Only the shape is checked here; the amount's format and
 * the currency are checked by Money.of, which answers 422 naming the field.
 */
export class MoneyDto {
  @ApiProperty({
    example: '1234.50',
    description: 'Decimal string, no exponent, no grouping.',
    maxLength: 40,
  })
  @IsString()
  @MaxLength(40)
  amount!: string;

  // 10 rather than 3: a wrong code of a few letters still gets Money.of's 422 naming it.
  @ApiProperty({ example: 'CNY', description: 'ISO 4217 code.', maxLength: 10 })
  @IsString()
  @MaxLength(10)
  currency!: string;
}

export class AllocationRequestDto {
  @ApiProperty({ example: '7f1c0c38-7c3e-4a0e-9d39-1d1c1f2b6a10' })
  @IsString()
  @Matches(ID_PATTERN, { message: 'invoiceId must be a Duemap id' })
  invoiceId!: string;

  @ApiProperty({ type: MoneyDto, description: 'Amount to apply, in the payment currency.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;
}

export class RecordPaymentRequestDto {
  @ApiProperty({ example: '0b6f8f1e-3c1a-4f7e-9a51-2f4b7c9d1e02' })
  @IsString()
  @Matches(ID_PATTERN, { message: 'customerId must be a Duemap id' })
  customerId!: string;

  @ApiProperty({ type: MoneyDto, description: 'Amount received; positive.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @ApiProperty({ example: '2025-03-31T08:15:30Z', description: 'When the money was received (RFC 3339).' })
  @IsString()
  @MaxLength(64)
  @IsRFC3339()
  receivedAt!: string;

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'bank_transfer' })
  @IsIn([...PAYMENT_METHODS])
  method!: PaymentMethodName;

  @ApiProperty({ example: 'INV-2025-000123', description: 'Remittance reference; may be empty.' })
  @IsString()
  @MaxLength(1000)
  reference!: string;

  @ApiPropertyOptional({
    type: [AllocationRequestDto],
    description:
      'Explicit allocations. Absent or empty: the payment is applied to the open invoices in its ' +
      'currency, oldest due date first.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => AllocationRequestDto)
  allocations?: AllocationRequestDto[];
}
