import type { IncomingMessage } from 'node:http';
import { Controller, Get, Req, UnauthorizedException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { effectivePermissions, territoryOf } from '@duemap/auth';
import type { Admission } from '../access/gateway-access';
import { MeResponseDto } from './dtos/me.response.dto';

/** Who the caller is, as the gateway admitted them (the console reads it after sign-in). */
@ApiTags('me')
@Controller('api/v1/me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'The signed-in caller: subject, roles, permissions and territory' })
  @ApiOkResponse({ type: MeResponseDto, description: 'The caller' })
  me(@Req() req: IncomingMessage & { admission?: Admission }): MeResponseDto {
    const identity = req.admission?.identity;
    if (!identity) {
      throw new UnauthorizedException({
        error: { code: 'UNAUTHENTICATED', message: 'not admitted by the gateway', details: [] },
      });
    }
    return {
      subject: identity.subject,
      kind: identity.kind,
      roles: [...identity.roles],
      permissions: [...effectivePermissions(identity)].sort(),
      territory: copyTerritory(territoryOf(identity)),
    };
  }
}

function copyTerritory(territory: ReturnType<typeof territoryOf>): MeResponseDto['territory'] {
  if (!territory) return null;
  return {
    countries: [...territory.countries],
    provinces: [...territory.provinces],
    salesTerritories: [...territory.salesTerritories],
    customerIds: [...territory.customerIds],
  };
}
