import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type, type TransformFnParams } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO31661Alpha2,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { isSupportedCurrency, Money } from '@duemap/money';
import { normalizeLocale, normalizeTimeZone } from '../customer-defaults';
import type { AddressState, ContactState, UpsertCustomerInput } from '../customer-master';

/** Trims strings; a blank optional string means "not given a value", i.e. null (cleared). */
const trimmed = ({ value }: TransformFnParams): unknown => {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  return t === '' ? null : t;
};
const upper = (params: TransformFnParams): unknown => {
  const value = trimmed(params);
  return typeof value === 'string' ? value.toUpperCase() : value;
};
/** "+86 138-0013-8000" -> "+8613800138000": separators people type are not part of E.164. */
const phone = (params: TransformFnParams): unknown => {
  const value = trimmed(params);
  return typeof value === 'string' ? value.replace(/[\s\-().]/g, '') : value;
};

function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimeZone',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && normalizeTimeZone(value) !== undefined,
        defaultMessage: () => '$property must be an IANA time zone such as "Asia/Shanghai"',
      },
    },
    options,
  );
}

function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value: unknown) => isSupportedCurrency(value),
        defaultMessage: () => '$property must be an ISO 4217 currency code such as "CNY"',
      },
    },
    options,
  );
}

function IsLanguageTag(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isLanguageTag',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && normalizeLocale(value) !== undefined,
        defaultMessage: () => '$property must be a BCP 47 language tag such as "zh-CN" or "en"',
      },
    },
    options,
  );
}

export class AddressDto {
  @ApiProperty({ example: 'CN', description: 'ISO 3166-1 alpha-2 country code (case-insensitive).' })
  @Transform(upper)
  @IsString()
  @IsISO31661Alpha2({ message: '$property must be an ISO 3166-1 alpha-2 country code such as "CN"' })
  country!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '广东省',
    description: 'Province, state or region.',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  province?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '深圳市' })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  city?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '南山区' })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  district?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '科技园南区高新南七道18号',
    description: 'Street line. Encrypted at rest.',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(300)
  line1?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '518057',
    description: 'Postal code. Encrypted at rest.',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(20)
  postcode?: string | null;
}

export class ContactDto {
  @ApiProperty({ example: '李娜' })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ap@example.cn' })
  @Transform(trimmed)
  @IsOptional()
  @IsEmail({}, { message: '$property must be an email address' })
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '+8613800138000',
    description: 'E.164; spaces and dashes are dropped.',
  })
  @Transform(phone)
  @IsOptional()
  @IsString()
  @Matches(/^\+[1-9][0-9]{6,14}$/, {
    message: '$property must be a phone number in E.164 form, e.g. "+8613800138000"',
  })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'accounts payable' })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  role?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'zh-CN',
    description: 'BCP 47 language tag.',
    maxLength: 64,
  })
  @Transform(trimmed)
  @IsOptional()
  @MaxLength(64)
  @IsLanguageTag()
  locale?: string | null;
}

export class MoneyDto {
  @ApiProperty({ example: '500000.00', description: 'Decimal string, never a number.', maxLength: 40 })
  @IsString()
  @MaxLength(40)
  amount!: string;

  // 10 rather than 3: a wrong code of a few letters still gets Money's 422 naming it.
  @ApiProperty({ example: 'CNY', description: 'ISO 4217 code.', maxLength: 10 })
  @IsString()
  @MaxLength(10)
  currency!: string;
}

/**
 * One source system's record of a customer. Fields left out keep what the customer has (another
 * ERP may have set them); `null` clears a field (back to its default where it has one).
 */
export class UpsertCustomerRequestDto {
  @ApiProperty({ example: '深圳市南山科技有限公司', description: 'Legal or trading name.' })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  name!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '91440300MA5FXXXX1X',
    description:
      'Tax id; spaces are dropped and letters upper-cased. A new source with a known tax id joins that customer.',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[A-Za-z0-9 ./-]+$/, {
    message: '$property may contain only letters, digits, spaces, ".", "/" and "-"',
  })
  taxId?: string | null;

  @ApiPropertyOptional({ enum: ['standard', 'vip'], nullable: true, default: 'standard' })
  @IsOptional()
  @IsIn(['standard', 'vip'])
  tier?: 'standard' | 'vip' | null;

  @ApiPropertyOptional({ type: AddressDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Asia/Shanghai',
    description:
      'IANA time zone, the day boundary of "overdue". Default: the country\'s when it has one, else UTC.',
    maxLength: 64,
  })
  @Transform(trimmed)
  @IsOptional()
  @MaxLength(64)
  @IsIanaTimeZone()
  timeZone?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'CNY',
    default: 'CNY',
    description: "ISO 4217: the customer's main currency.",
  })
  @Transform(upper)
  @IsOptional()
  @MaxLength(10)
  @IsCurrencyCode()
  currency?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'zh-CN',
    description: 'BCP 47; default zh-CN in China, else en.',
    maxLength: 64,
  })
  @Transform(trimmed)
  @IsOptional()
  @MaxLength(64)
  @IsLanguageTag()
  locale?: string | null;

  @ApiPropertyOptional({ type: MoneyDto, nullable: true })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  creditLimit?: MoneyDto | null;

  @ApiPropertyOptional({
    type: [ContactDto],
    nullable: true,
    description: 'Replaces the contact list. Encrypted at rest.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'south-china' })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  salesTerritory?: string | null;
}

const orNull = <T>(value: T | null | undefined): T | null => value ?? null;

function toAddress(dto: AddressDto): AddressState {
  return {
    country: dto.country,
    province: orNull(dto.province),
    city: orNull(dto.city),
    district: orNull(dto.district),
    line1: orNull(dto.line1),
    postcode: orNull(dto.postcode),
  };
}

function toContact(dto: ContactDto): ContactState {
  return {
    name: dto.name,
    email: orNull(dto.email),
    phone: orNull(dto.phone),
    role: orNull(dto.role),
    locale: dto.locale ? (normalizeLocale(dto.locale) ?? null) : null,
  };
}

/** The validated body as the use case's input; a malformed credit limit throws MoneyError (422). */
export function toUpsertInput(dto: UpsertCustomerRequestDto): UpsertCustomerInput {
  const mapped = <D, T>(value: D | null | undefined, map: (d: D) => T): T | null | undefined =>
    value === undefined ? undefined : value === null ? null : map(value);
  return {
    name: dto.name,
    taxId: dto.taxId,
    tier: dto.tier,
    address: mapped(dto.address, toAddress),
    timeZone: mapped(dto.timeZone, (tz) => normalizeTimeZone(tz) ?? tz),
    currency: dto.currency,
    locale: mapped(dto.locale, (l) => normalizeLocale(l) ?? l),
    creditLimit: mapped(dto.creditLimit, (m) =>
      Money.of(m.amount, m.currency, { field: 'creditLimit.amount', currencyField: 'creditLimit.currency' }),
    ),
    contacts: mapped(dto.contacts, (list) => list.map(toContact)),
    salesTerritory: dto.salesTerritory,
  };
}
