import type { IncomingMessage } from 'node:http';
import { Controller, Get, Req, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { effectivePermissions, territoryOf, type Permission, type Role, type Territory } from '@duemap/auth';
import type { Admission } from '../access/gateway-access';

export interface MeResponse {
  subject: string;
  kind: string;
  roles: readonly Role[];
  permissions: Permission[];
  /** Null: every customer. */
  territory: Territory | null;
}

/** Who the caller is, as the gateway admitted them (the console reads it after sign-in). */
@ApiTags('me')
@Controller('api/v1/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'The signed-in caller: subject, roles, permissions and territory' })
  @ApiOkResponse({ description: 'The caller' })
  me(@Req() req: IncomingMessage & { admission?: Admission }): MeResponse {
    const identity = req.admission?.identity;
    if (!identity) {
      throw new UnauthorizedException({
        error: { code: 'UNAUTHENTICATED', message: 'not admitted by the gateway', details: [] },
      });
    }
    return {
      subject: identity.subject,
      kind: identity.kind,
      roles: identity.roles,
      permissions: [...effectivePermissions(identity)].sort(),
      territory: territoryOf(identity) ?? null,
    };
  }
}
