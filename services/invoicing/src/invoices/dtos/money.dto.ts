import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';

/**
 * `{"amount":"1234.50","currency":"CNY"}`. Only the shape is checked here; the amount's format,
 * the decimals the currency allows and the currency itself are checked by @duemap/money, which
 * answers 422 naming the field.
 */
export class MoneyDto {
  @ApiProperty({ example: '1234.50', description: 'Decimal string, no exponent or separators' })
  @IsString()
  @IsNotEmpty()
  amount!: string;

  @ApiProperty({ example: 'CNY', description: 'ISO 4217 code, upper case' })
  @IsString()
  @IsNotEmpty()
  currency!: string;
}
