import { ApiProperty } from '@nestjs/swagger';
import { GEOCODE_FAILURE_REASONS, LOCATION_PRECISIONS, LOCATION_STATES } from '../customer-record';

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

export class LocationCandidateResponseDto {
  @ApiProperty({ example: '北京市朝阳区' }) label!: string;
  @ApiProperty({ type: String, nullable: true, example: '110105', description: 'GB/T 2260 in China.' })
  code!: string | null;
  @ApiProperty({ enum: ['region', 'city', 'district'], nullable: true, description: 'What the code names.' })
  precision!: string | null;
}

export class LocationResponseDto {
  @ApiProperty({
    enum: LOCATION_STATES,
    description:
      'pending: geocoding has not yet judged the current address; located: on the map at lat/lng; ' +
      'not_located: no pin, reason says why (fix the address, or pick one of the candidates).',
  })
  state!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 22.5431,
    description: 'WGS 84; null unless located.',
  })
  lat!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 113.9466 }) lng!: number | null;
  @ApiProperty({ enum: LOCATION_PRECISIONS, nullable: true }) precision!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'china-districts',
    description: 'Data or service that located it.',
  })
  source!: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    description: "Confidence of geocoding's best reading of a not-located address; null when it had none.",
  })
  confidence!: number | null;
  @ApiProperty({
    enum: GEOCODE_FAILURE_REASONS,
    nullable: true,
    description: 'Why not located; null otherwise.',
  })
  reason!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'no country code, and no country could be recognised in the address',
  })
  detail!: string | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description:
      'Not located: true when geocoding retries by itself, false when only a corrected address helps.',
  })
  willRetry!: boolean | null;
  @ApiProperty({
    type: [LocationCandidateResponseDto],
    description: 'ambiguous: the places the address may mean.',
  })
  candidates!: LocationCandidateResponseDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When geocoding judged the address.',
  })
  geocodedAt!: string | null;
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
  @ApiProperty({ type: LocationResponseDto }) location!: LocationResponseDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CustomerPageResponseDto {
  @ApiProperty({ type: [CustomerResponseDto] }) items!: CustomerResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
