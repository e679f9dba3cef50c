import { ApiProperty } from '@nestjs/swagger';
import type { AuditRow } from '../audit-chain';

export class AuditEntryResponseDto {
  @ApiProperty({
    description: 'Position in the chain (a bigint as a string), from 1 without gaps.',
    example: '1042',
  })
  seq!: string;
  @ApiProperty({ format: 'date-time', example: '2026-05-01T08:30:00.123000Z' }) at!: string;
  @ApiProperty({ example: 'alice' }) subject!: string;
  @ApiProperty({ enum: ['user', 'api-key', 'client', 'anonymous'] }) kind!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The API key used, if any.' }) keyId!:
    string | null;
  @ApiProperty({ type: [String], example: ['finance'] }) roles!: string[];
  @ApiProperty({ example: 'PUT' }) method!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The operation of the permission matrix; null for a path it does not know.',
    example: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
  })
  operation!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'The path parameters of the call.',
    example: { sourceSystem: 'sap', externalId: 'C-1001' },
  })
  resource!: Record<string, string>;
  @ApiProperty({ description: 'The answer status; 499 when the client went away first.', example: 200 })
  status!: number;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.9' }) address!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'OpenTelemetry trace id of the call.' })
  traceId!: string | null;
  @ApiProperty({ description: 'sha256 of the previous entry (hex).' }) prevHash!: string;
  @ApiProperty({
    description: 'sha256 over prevHash and this entry (hex); `npm run audit:verify` recomputes it.',
  })
  hash!: string;
}

export class AuditPageResponseDto {
  @ApiProperty({ type: [AuditEntryResponseDto], description: 'Newest first.' })
  items!: AuditEntryResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toAuditEntryResponse(row: AuditRow): AuditEntryResponseDto {
  return { ...row, roles: [...row.roles], resource: { ...row.resource } };
}
