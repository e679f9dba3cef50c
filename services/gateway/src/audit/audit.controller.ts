import { BadRequestException, Controller, Get, Query, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { createValidationPipe } from '@duemap/http';
import { AuditLogStore } from './audit-log.store';
import { AuditPageResponseDto, toAuditEntryResponse } from './dtos/audit-entry.response.dto';
import { ListAuditRequestDto } from './dtos/list-audit.request.dto';

const DEFAULT_LIMIT = 50;

function invalid(field: string, message: string): never {
  throw new BadRequestException({
    error: { code: 'VALIDATION_FAILED', message, details: [{ field, message }] },
  });
}

/**
 * The audit trail for admins (the permission matrix gives audit:read to admin only, and the
 * gateway's admission checks it before this is reached). Reading it is itself recorded.
 */
@ApiTags('audit')
@UsePipes(createValidationPipe())
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly store: AuditLogStore) {}

  @Get()
  @ApiOperation({
    summary: 'Audit entries, newest first (keyset pages)',
    description:
      'Every change through the API (refused ones too) and every read of personal data: who, what, when, from where, trace id, and the hash chain that makes the log tamper-evident.',
  })
  @ApiOkResponse({ type: AuditPageResponseDto })
  @ApiResponse({ status: 400, description: 'Invalid query parameter (details name the field).' })
  async list(@Query() query: ListAuditRequestDto): Promise<AuditPageResponseDto> {
    // Postgres text cannot hold NUL (nothing stored has one), and a query sending it must get a 400, not a 500.
    for (const field of ['subject', 'operation', 'resource'] as const) {
      if (query[field]?.includes('\u0000')) invalid(field, `${field} must not contain NUL characters`);
    }
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    if (from && to && from.getTime() > to.getTime()) invalid('from', 'from must not be after to');
    const limit = query.limit ?? DEFAULT_LIMIT;
    const { rows, more } = await this.store.list({
      subject: query.subject,
      operation: query.operation,
      from,
      to,
      resource: query.resource,
      beforeSeq: query.cursor,
      limit,
    });
    const last = rows[rows.length - 1];
    return { items: rows.map(toAuditEntryResponse), nextCursor: more && last ? last.seq : null };
  }
}
