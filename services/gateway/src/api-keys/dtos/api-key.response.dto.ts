import { ApiProperty } from '@nestjs/swagger';
import { PERMISSIONS, ROLES, type Permission, type Role } from '@duemap/auth';
import type { ApiKeyEntity } from '../api-key.entity';

export const API_KEY_STATES = ['active', 'rotating', 'revoked', 'expired'] as const;
export type ApiKeyState = (typeof API_KEY_STATES)[number];

/** A key as lists show it: never its secret, nor the secret's hash. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'sap-connector' }) name!: string;
  @ApiProperty({ example: 'dm_1a2b3c4d', description: 'The first characters of the key.' }) prefix!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles!: Role[];
  @ApiProperty({ enum: PERMISSIONS, isArray: true, nullable: true, description: 'null: the roles decide.' })
  scope!: Permission[] | null;
  @ApiProperty({ type: [String], nullable: true, description: 'null: any source system.' })
  sources!: string[] | null;
  @ApiProperty({
    enum: API_KEY_STATES,
    description: 'rotating: replaced, still working until revokedAt.',
  })
  state!: ApiKeyState;
  @ApiProperty({ example: 'admin' }) createdBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it stops (or stopped) working.',
  })
  revokedAt!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The key this one replaced.' })
  rotatedFrom!: string | null;
}

/** A key just issued: the only answer that carries the key itself. */
export class IssuedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({
    example: 'dm_1a2b3c4d5e6f47089a0b1c2d3e4f5a6b_3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    description:
      'Send as `Authorization: ApiKey <key>` or `X-Api-Key: <key>`. Shown once; only its hash is kept.',
  })
  key!: string;
}

export class ApiKeyListResponseDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items!: ApiKeyResponseDto[];
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function stateOf(record: ApiKeyEntity, now = Date.now()): ApiKeyState {
  if (record.revokedAt && record.revokedAt.getTime() <= now) return 'revoked';
  if (record.expiresAt && record.expiresAt.getTime() <= now) return 'expired';
  return record.revokedAt ? 'rotating' : 'active';
}

export function toApiKeyResponse(record: ApiKeyEntity): ApiKeyResponseDto {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    roles: record.roles,
    scope: record.scope,
    sources: record.sources,
    state: stateOf(record),
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: iso(record.lastUsedAt),
    expiresAt: iso(record.expiresAt),
    revokedAt: iso(record.revokedAt),
    rotatedFrom: record.rotatedFrom,
  };
}
