import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
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
  /** The issuer's keys when they are not fetched from jwksUrl (an issuer in the same process). */
  keys?: JWTVerifyGetKey;
}

export interface AuthenticatedRequest extends Request {
  identity?: Identity;
}

/** Routes under this prefix are the public API and always checked; /health, /metrics, docs are not. */
const GUARDED_PREFIX = '/api/';

function refuse(status: 401 | 403, code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): never {
  // The shared error shape, so ApiExceptionFilter passes the code through as given.
  const body = { error: { code, message, details: [] } };
  throw status === 401 ? new UnauthorizedException(body) : new ForbiddenException(body);
}

/** Source systems compared as the services store them (trimmed, lower case). */
function sourceKey(source: string): string {
  return source.trim().toLowerCase();
}

/**
 * The path of the route Express matched, as declared in the controller. The request's own path is
 * no guide: Express matches routes case-insensitively, so `/API/v1/customers` reaches the same
 * handler as `/api/v1/customers` and must be checked all the same.
 */
function routeTemplate(req: Request): string {
  const declared = (req.route as { path?: unknown } | undefined)?.path;
  return typeof declared === 'string' ? declared : req.path;
}

/**
 * Every service's global guard on its API (/api/…): no trust in the network. A request must carry
 * the gateway's signed identity (IDENTITY_HEADER) or a bearer token of the configured issuer; its
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
      keys: options.keys ?? new URL(options.jwksUrl),
      rolesClaim: options.rolesClaim,
      territoryClaim: options.territoryClaim,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const route = routeTemplate(req);
    if (!route.toLowerCase().startsWith(GUARDED_PREFIX)) return true;
    const identity = await this.authenticate(req);
    // Express answers HEAD with the GET handler; the matrix names only the GET.
    const key = operationKey(req.method === 'HEAD' ? 'GET' : req.method, route);
    const permission = OPERATION_PERMISSIONS[key];
    if (!permission) refuse(403, 'FORBIDDEN', `${key} is not in the permission matrix`);
    if (!hasPermission(identity, permission)) {
      refuse(403, 'FORBIDDEN', `${permission} is needed for ${key}`);
    }
    const source: unknown = req.params?.sourceSystem;
    if (
      identity.sources &&
      typeof source === 'string' &&
      !identity.sources.some((allowed) => sourceKey(allowed) === sourceKey(source))
    ) {
      refuse(403, 'FORBIDDEN', `this key may not act for source system ${source}`);
    }
    req.identity = identity;
    return true;
  }

  private async authenticate(req: Request): Promise<Identity> {
    const signed = req.headers[IDENTITY_HEADER];
    if (signed !== undefined) {
      try {
        if (typeof signed !== 'string') throw new Error('more than one identity header');
        return await this.internal.verify(signed);
      } catch {
        refuse(401, 'UNAUTHENTICATED', 'the gateway identity is not valid');
      }
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
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
  if (!req.identity) {
    throw new UnauthorizedException({
      error: { code: 'UNAUTHENTICATED', message: 'no identity', details: [] },
    });
  }
  return req.identity;
});
