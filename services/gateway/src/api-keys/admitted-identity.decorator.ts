import type { IncomingMessage } from 'node:http';
import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { Identity } from '@duemap/auth';
import type { Admission } from '../access/gateway-access';

/**
 * Who the gateway's admission let through (the forwarder sets `req.admission` before handing an
 * /api/v1 call to the gateway's own controllers). Never missing on that path; a request that
 * somehow reached a controller without it is refused rather than served anonymously.
 */
export const AdmittedIdentity = createParamDecorator((_: unknown, ctx: ExecutionContext): Identity => {
  const req = ctx.switchToHttp().getRequest<IncomingMessage & { admission?: Admission }>();
  if (!req.admission) {
    throw new UnauthorizedException({
      error: { code: 'UNAUTHENTICATED', message: 'not admitted by the gateway', details: [] },
    });
  }
  return req.admission.identity;
});
