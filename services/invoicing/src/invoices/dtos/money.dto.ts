import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * `{"amount":"1234.50","currency":"CNY"}`. Only the shape is checked here; the amount's format,
 * the decimals the currency allows and the currency itself are checked by @duemap/money, which
 * answers 422 naming the field.
 */
export class MoneyDto {
  @ApiProperty({
    example: '1234.50',
    description: 'Decimal string, no exponent or separators',
    maxLength: 40,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  amount!: string;

  // 10 rather than 3: a wrong code of a few letters still gets the 422 naming it.
  @ApiProperty({ example: 'CNY', description: 'ISO 4217 code, upper case', maxLength: 10 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(10)
  currency!: string;
}
