import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PERMISSIONS, ROLES, type Permission, type Role } from '@duemap/auth';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsRFC3339,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { SOURCE_SYSTEM } from '../api-key-grant';

export class CreateApiKeyRequestDto {
  @ApiProperty({ example: 'sap-connector', description: 'What uses the key, for people reading the list.' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, example: ['integration'], default: ['integration'] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({
    enum: PERMISSIONS,
    isArray: true,
    example: ['customers:write', 'invoices:write'],
    description:
      "Permissions the key is limited to, within its roles'; left out: all of the roles' permissions.",
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  scope?: Permission[];

  @ApiPropertyOptional({
    type: [String],
    example: ['sap'],
    description: 'Source systems the key may write for (the {sourceSystem} of a path); left out: any.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(SOURCE_SYSTEM, { each: true, message: 'sources must be lowercase source system names' })
  sources?: string[];

  @ApiPropertyOptional({
    example: '2027-01-01T00:00:00Z',
    description: 'When the key stops working (RFC 3339).',
  })
  @IsOptional()
  @MaxLength(64)
  @IsRFC3339()
  expiresAt?: string;
}
