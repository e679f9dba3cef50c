import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasPermission, InternalIdentity, matchOperation, TokenVerifier, type Identity } from '@duemap/auth';
import type { GatewayConfig } from '../config';
import { withRateLimits } from '../rate-limit/rate-limited-access';
import type { Admission, Denial, GatewayAccess } from './gateway-access';

const UNAUTHENTICATED: Denial = {
  status: 401,
  code: 'UNAUTHENTICATED',
  message: 'sign in: send Authorization: Bearer <token>',
  headers: { 'www-authenticate': 'Bearer realm="duemap"' },
};

function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header || !header.startsWith('Bearer ')) return undefined;
  const token = header.slice(7).trim();
  return token || undefined;
}

/**
 * Admission at the gateway: a bearer token of the configured issuer, an operation of the permission
 * matrix, the permission it needs; then the identity signed for the services.
 */
export class BearerAccess implements GatewayAccess {
  private readonly tokens: TokenVerifier;
  private readonly internal: InternalIdentity;

  constructor(config: GatewayConfig) {
    this.tokens = new TokenVerifier({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      keys: new URL(config.AUTH_JWKS_URL),
      rolesClaim: config.AUTH_ROLES_CLAIM,
      territoryClaim: config.AUTH_TERRITORY_CLAIM,
    });
    this.internal = new InternalIdentity(config.IDENTITY_SECRET);
  }

  async admit(req: IncomingMessage): Promise<Denial | Admission> {
    const token = bearerOf(req);
    if (!token) return UNAUTHENTICATED;
    let identity: Identity;
    try {
      identity = await this.tokens.verify(token);
    } catch {
      return { ...UNAUTHENTICATED, message: 'the bearer token is not valid' };
    }
    const operation = matchOperation(req.method ?? 'GET', req.url ?? '/');
    if (!operation) {
      return {
        status: 403,
        code: 'FORBIDDEN',
        message: `${req.method} ${req.url} is not an operation of the API`,
        identity,
      };
    }
    if (!hasPermission(identity, operation.permission)) {
      return {
        status: 403,
        code: 'FORBIDDEN',
        message: `${operation.permission} is needed for ${operation.key}`,
        identity,
      };
    }
    return { identity, operation, signedIdentity: await this.internal.sign(identity) };
  }

  finished(_req: IncomingMessage, _res: ServerResponse, _admission: Admission | undefined): void {
    // The audit trail (audit/) records here.
  }
}

export function createGatewayAccess(config: GatewayConfig): GatewayAccess {
  return withRateLimits(new BearerAccess(config), config);
}
