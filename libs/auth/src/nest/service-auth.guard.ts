import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { hasPermission, type Identity } from '../identity';
import { IDENTITY_HEADER, InternalIdentity } from '../internal-identity';
import { operationKey } from '../operations';
import { OPERATION_PERMISSIONS } from '../permissions';
import { TokenVerifier } from '../token-verifier';

/** What a service needs to check its callers; from the platform config (libs/config). */
export interface ServiceAuthOptions {
  identitySecret: string;
  issuer: string;
  audience: string;
  jwksUrl: string;
  rolesClaim?: string;
  territoryClaim?: string;
}

export interface AuthenticatedRequest extends Request {
  identity?: Identity;
}

function refuse(status: 401 | 403, code: string, message: string): never {
  const body = { code, message, details: [] };
  throw status === 401 ? new UnauthorizedException(body) : new ForbiddenException(body);
}

/**
 * Every service's global guard on /api/v1: no trust in the network. A request must carry the
 * gateway's signed identity (IDENTITY_HEADER) or a bearer token of the configured issuer; its
 * operation must be in the permission matrix, and the identity must hold that permission. API keys
 * limited to some source systems may only touch those (`:sourceSystem` path parameters). The
 * identity is left on the request for `@CurrentIdentity()`.
 */
@Injectable()
export class ServiceAuthGuard implements CanActivate {
  private readonly internal: InternalIdentity;
  private readonly tokens: TokenVerifier;

  constructor(options: ServiceAuthOptions) {
    this.internal = new InternalIdentity(options.identitySecret);
    this.tokens = new TokenVerifier({
      issuer: options.issuer,
      audience: options.audience,
      keys: new URL(options.jwksUrl),
      rolesClaim: options.rolesClaim,
      territoryClaim: options.territoryClaim,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!req.path.startsWith('/api/v1')) return true;
    const identity = await this.authenticate(req);
    const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
    const key = operationKey(req.method, route);
    const permission = OPERATION_PERMISSIONS[key];
    if (!permission) refuse(403, 'FORBIDDEN', `${key} is not in the permission matrix`);
    if (!hasPermission(identity, permission)) {
      refuse(403, 'FORBIDDEN', `${permission} is needed for ${key}`);
    }
    const source: unknown = req.params?.sourceSystem;
    if (identity.sources && typeof source === 'string' && !identity.sources.includes(source)) {
      refuse(403, 'FORBIDDEN', `this key may not write for source system ${source}`);
    }
    req.identity = identity;
    return true;
  }

  private async authenticate(req: Request): Promise<Identity> {
    const signed = req.headers[IDENTITY_HEADER];
    if (typeof signed === 'string') {
      try {
        return await this.internal.verify(signed);
      } catch {
        refuse(401, 'UNAUTHENTICATED', 'the gateway identity is not valid');
      }
    }
    const authorization = req.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    if (!bearer) refuse(401, 'UNAUTHENTICATED', 'sign in: send Authorization: Bearer <token>');
    try {
      return await this.tokens.verify(bearer);
    } catch {
      refuse(401, 'UNAUTHENTICATED', 'the bearer token is not valid');
    }
  }
}

/** The caller of this request, as ServiceAuthGuard established it. */
export const CurrentIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): Identity => {
  const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!req.identity)
    throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'no identity', details: [] });
  return req.identity;
});
