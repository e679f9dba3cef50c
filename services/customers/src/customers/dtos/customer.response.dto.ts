import { ApiProperty } from '@nestjs/swagger';

// OpenAPI description of the customer JSON (the value itself is built by CustomerRecords.toView).

/** Personal fields come back masked for callers without personal-data:read (viewer, integration). */
const MASKED = 'when the caller lacks personal-data:read';

export class MoneyResponseDto {
  @ApiProperty({ example: '1234.50' }) amount!: string;
  @ApiProperty({ example: 'CNY' }) currency!: string;
}

export class SourceRefResponseDto {
  @ApiProperty({ example: 'sap-ecc-cn' }) sourceSystem!: string;
  @ApiProperty({ example: '0000100234' }) externalId!: string;
}

export class AddressResponseDto {
  @ApiProperty({ example: 'CN' }) country!: string;
  @ApiProperty({ type: String, nullable: true, example: '广东省' }) province!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '深圳市' }) city!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '南山区' }) district!: string | null;
  @ApiProperty({ type: String, nullable: true, description: `"****" ${MASKED}` }) line1!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '518057', description: `"51****" ${MASKED}` })
  postcode!: string | null;
}

export class ContactResponseDto {
  @ApiProperty({ description: `"李*" ${MASKED}` }) name!: string;
  @ApiProperty({ type: String, nullable: true, description: `"a***@example.com" ${MASKED}` })
  email!: string | null;
  @ApiProperty({ type: String, nullable: true, description: `"138****5678" ${MASKED}` })
  phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiProperty({ type: String, nullable: true }) locale!: string | null;
}

export class BalanceResponseDto {
  @ApiProperty({ description: 'Open invoice amounts minus unapplied credit.' })
  outstanding!: MoneyResponseDto;
  @ApiProperty({ description: 'Open amounts of overdue invoices.' }) overdue!: MoneyResponseDto;
  @ApiProperty({ description: 'Cash received but not applied to invoices.' })
  unappliedCredit!: MoneyResponseDto;
}

export class CurrencyBalanceResponseDto extends BalanceResponseDto {
  @ApiProperty({ example: 'CNY' }) currency!: string;
}

export class LocationResponseDto {
  @ApiProperty({ example: 22.5431 }) lat!: number;
  @ApiProperty({ example: 113.9466 }) lng!: number;
  @ApiProperty({
    enum: ['rooftop', 'postcode', 'district', 'city', 'region', 'country'],
    nullable: true,
  })
  precision!: string | null;
}

export class CustomerResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true, description: `"****1234" ${MASKED}` })
  taxId!: string | null;
  @ApiProperty({ enum: ['standard', 'vip'] }) tier!: string;
  @ApiProperty({ type: [SourceRefResponseDto] }) sources!: SourceRefResponseDto[];
  @ApiProperty({ type: AddressResponseDto, nullable: true }) address!: AddressResponseDto | null;
  @ApiProperty({ example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiProperty({ example: 'CNY' }) currency!: string;
  @ApiProperty({ example: 'zh-CN' }) locale!: string;
  @ApiProperty({ type: MoneyResponseDto, nullable: true }) creditLimit!: MoneyResponseDto | null;
  @ApiProperty({ type: [ContactResponseDto] }) contacts!: ContactResponseDto[];
  @ApiProperty({ type: String, nullable: true }) salesTerritory!: string | null;
  @ApiProperty({ enum: ['paid', 'unpaid', 'overdue'] }) status!: string;
  @ApiProperty({ description: "In the customer's currency." }) balance!: BalanceResponseDto;
  @ApiProperty({ type: [CurrencyBalanceResponseDto], description: 'Every currency with activity.' })
  balances!: CurrencyBalanceResponseDto[];
  @ApiProperty({ type: String, nullable: true }) creditRating!: string | null;
  @ApiProperty({ type: LocationResponseDto, nullable: true }) location!: LocationResponseDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CustomerPageResponseDto {
  @ApiProperty({ type: [CustomerResponseDto] }) items!: CustomerResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
