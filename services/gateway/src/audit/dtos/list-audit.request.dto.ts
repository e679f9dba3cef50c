import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const trimmed = ({ value }: { value: unknown }): unknown => {
  const v = blankToUndefined(value);
  return typeof v === 'string' ? v.trim() : v;
};

export class ListAuditRequestDto {
  @ApiPropertyOptional({
    description: 'Who: an OIDC subject, user name, `api-key:<id>` or `anonymous`.',
    example: 'alice',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  subject?: string;

  @ApiPropertyOptional({
    description: 'An operation of the permission matrix, exactly as it names it.',
    example: 'GET /api/v1/customers/{id}',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  operation?: string;

  @ApiPropertyOptional({
    description: 'Entries at or after this instant (ISO 8601).',
    example: '2026-05-01T00:00:00Z',
  })
  @Transform(trimmed)
  @IsOptional()
  @MaxLength(64)
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({
    description: 'Entries before this instant (ISO 8601).',
    example: '2026-06-01T00:00:00Z',
  })
  @Transform(trimmed)
  @IsOptional()
  @MaxLength(64)
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({
    description: 'A path parameter of the call: a customer id, a source key, an API key id.',
    example: '2f1c7a7e-3f7a-4d7b-9a51-0d1cbd1b5c11',
  })
  @Transform(trimmed)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  resource?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @Transform(trimmed)
  @IsOptional()
  @MaxLength(19)
  @Matches(/^[1-9][0-9]{0,18}$/, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Page size, 1-500.', default: 50 })
  @Transform(({ value }: { value: unknown }) => {
    const v = blankToUndefined(value);
    return typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v;
  })
  @IsOptional()
  @IsInt({ message: 'limit must be an integer between 1 and 500' })
  @Min(1, { message: 'limit must be an integer between 1 and 500' })
  @Max(500, { message: 'limit must be an integer between 1 and 500' })
  limit?: number;
}
