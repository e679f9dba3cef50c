import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MoneyDto } from './money.dto';
import { IsCalendarDate, IsNotBefore } from './validators';

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const SOURCE_SYSTEM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Printable text without control characters; ERP ids carry slashes, spaces, dots...
const EXTERNAL_ID = /^[^\p{Cc}]{1,200}$/u;

export class SourceRefDto {
  @ApiProperty({ example: 'sap-ecc-cn' })
  @IsString()
  @Matches(SOURCE_SYSTEM, { message: '$property must be 1-64 letters, digits, ".", "_" or "-"' })
  sourceSystem!: string;

  @ApiProperty({ example: 'C-000123' })
  @IsString()
  @Matches(EXTERNAL_ID, { message: '$property must be 1-200 characters without control characters' })
  externalId!: string;
}

/** The source record an invoice is upserted under (path parameters). */
export class InvoiceSourceParamsDto extends SourceRefDto {}

export class InvoiceLineDto {
  @ApiProperty({ example: 'Consulting, March' })
  @IsString()
  @MaxLength(1000)
  description!: string;

  @ApiPropertyOptional({ example: '3', description: 'Decimal string', maxLength: 40 })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(DECIMAL, { message: '$property must be a decimal string such as "3" or "1.5"' })
  quantity?: string;

  @ApiPropertyOptional({ type: MoneyDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  unitPrice?: MoneyDto;

  @ApiProperty({ type: MoneyDto, description: 'Line amount including tax, in the invoice currency' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;

  @ApiPropertyOptional({ type: MoneyDto, description: 'Tax part of amount' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  tax?: MoneyDto;
}

/** Body of PUT /api/v1/invoices/{sourceSystem}/{externalId}. Exactly one of customerId / customer. */
export class UpsertInvoiceRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: "The customer's Duemap id (or give customer)" })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({
    type: SourceRefDto,
    description: "The customer's record in a source ERP (or give customerId)",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SourceRefDto)
  customer?: SourceRefDto;

  @ApiProperty({ example: 'INV-2025-000123' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  number!: string;

  @ApiProperty({ example: '2025-03-01', format: 'date' })
  @IsCalendarDate()
  issueDate!: string;

  @ApiProperty({ example: '2025-03-31', format: 'date', description: 'On or after issueDate' })
  @IsCalendarDate()
  @IsNotBefore('issueDate')
  dueDate!: string;

  @ApiProperty({ type: MoneyDto, description: 'Greater than 0' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  total!: MoneyDto;

  @ApiPropertyOptional({
    example: 1767225600000,
    description:
      "The source's version of the invoice, an integer growing with every change there (a change counter, or " +
      'the last-changed time in epoch milliseconds). Lower than the one held -> 409 STALE_SOURCE_VERSION.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  sourceVersion?: number;

  @ApiPropertyOptional({ type: [InvoiceLineDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => InvoiceLineDto)
  lines?: InvoiceLineDto[];
}
