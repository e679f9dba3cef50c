import { ApiProperty } from '@nestjs/swagger';
import { PERMISSIONS, ROLES, type Permission, type Role } from '@duemap/auth';

export class TerritoryDto {
  @ApiProperty({ type: [String], example: ['CN'], description: 'ISO 3166-1 alpha-2 countries' })
  countries!: string[];

  @ApiProperty({ type: [String], example: ['CN/广东省'], description: 'country/province' })
  provinces!: string[];

  @ApiProperty({ type: [String], example: ['south'], description: 'the ERP sales territories' })
  salesTerritories!: string[];

  @ApiProperty({ type: [String], format: 'uuid', description: 'explicit customers' })
  customerIds!: string[];
}

export class MeResponseDto {
  @ApiProperty({ example: 'alice', description: 'user name, OIDC subject, or api-key:<id>' })
  subject!: string;

  @ApiProperty({ enum: ['user', 'api-key', 'client'] })
  kind!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];

  @ApiProperty({ enum: PERMISSIONS, isArray: true, description: 'what the roles (and a key scope) allow' })
  permissions!: Permission[];

  @ApiProperty({
    type: TerritoryDto,
    nullable: true,
    description: "a collector's territory; null: every customer",
  })
  territory!: TerritoryDto | null;
}
