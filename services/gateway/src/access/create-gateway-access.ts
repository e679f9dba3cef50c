import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { hasPermission, InternalIdentity, matchOperation, TokenVerifier, type Identity } from '@duemap/auth';
import { ApiKeyAuthenticator } from '../api-keys/api-key-authenticator';
import type { GatewayConfig } from '../config';
import { ownerOf } from '../routing/routes';
import { IdentityService } from '../identity/identity.service';
import { sessionOf } from '../identity/session-cookie';
import { withRateLimits } from '../rate-limit/rate-limited-access';
import type { Admission, Denial, GatewayAccess } from './gateway-access';

const UNAUTHENTICATED: Denial = {
  status: 401,
  code: 'UNAUTHENTICATED',
  message: 'sign in: send Authorization: Bearer <token>',
  headers: { 'www-authenticate': 'Bearer realm="duemap"' },
};

const INVALID_TOKEN: Denial = {
  ...UNAUTHENTICATED,
  message: 'the bearer token is not valid',
  headers: { 'www-authenticate': 'Bearer realm="duemap", error="invalid_token"' },
};

/** Methods that change nothing, which a cross-site page may trigger without harm. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Credential {
  token: string;
  /** From the console's session cookie, which a browser also sends on a cross-site request. */
  fromCookie: boolean;
}

function credentialOf(req: IncomingMessage): Credential | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    // An Authorization header decides alone: a wrong one is not rescued by a cookie.
    if (!/^bearer /i.test(header)) return undefined;
    const token = header.slice(7).trim();
    return token ? { token, fromCookie: false } : undefined;
  }
  const session = sessionOf(req);
  return session ? { token: session, fromCookie: true } : undefined;
}

/**
 * A cookie-authenticated change must come from the console itself: a page of another site can make
 * the browser send the cookie (SameSite=Strict aside, older browsers), but cannot add
 * X-Requested-With without a CORS preflight, nor forge its Origin.
 */
function sameSiteRequest(req: IncomingMessage, issuer: string): boolean {
  if (req.headers['x-requested-with'] !== undefined) return true;
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    const from = new URL(origin);
    return from.host === req.headers.host || from.origin === new URL(issuer).origin;
  } catch {
    return false;
  }
}

/**
 * Admission at the gateway: a bearer token of the configured issuer, an operation of the permission
 * matrix, the permission it needs; then the identity signed for the services.
 */
export class BearerAccess implements GatewayAccess {
  private readonly tokens: TokenVerifier;
  private readonly internal: InternalIdentity;

  /** `local`: the gateway is the issuer, so its keys are read in-process instead of over HTTP from itself. */
  constructor(
    private readonly config: GatewayConfig,
    local?: IdentityService,
    private readonly apiKeys?: ApiKeyAuthenticator,
  ) {
    this.tokens = new TokenVerifier({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      keys: local?.local ? local.keySet.getKey : new URL(config.AUTH_JWKS_URL),
      rolesClaim: config.AUTH_ROLES_CLAIM,
      territoryClaim: config.AUTH_TERRITORY_CLAIM,
    });
    this.internal = new InternalIdentity(config.IDENTITY_SECRET);
  }

  async admit(req: IncomingMessage): Promise<Denial | Admission> {
    // A machine's API key (api-keys/) decides alone when one is sent, then the same matrix applies.
    const keyed = await this.apiKeys?.admit(req);
    if (keyed) return 'status' in keyed ? keyed : this.permit(req, keyed);
    const credential = credentialOf(req);
    if (!credential) return UNAUTHENTICATED;
    let identity: Identity;
    try {
      identity = await this.tokens.verify(credential.token);
    } catch {
      return INVALID_TOKEN;
    }
    if (
      credential.fromCookie &&
      !SAFE_METHODS.has(req.method ?? 'GET') &&
      !sameSiteRequest(req, this.config.AUTH_ISSUER)
    ) {
      return {
        status: 403,
        code: 'FORBIDDEN',
        message: 'a change signed in by cookie needs the header X-Requested-With or a same-origin Origin',
        identity,
      };
    }
    return this.permit(req, identity);
  }

  /** The operation of the matrix, the permission it needs, and the identity signed for the services. */
  private async permit(req: IncomingMessage, identity: Identity): Promise<Denial | Admission> {
    const operation = matchOperation(req.method ?? 'GET', req.url ?? '/');
    if (!operation) {
      const url = req.url ?? '/';
      const path = url.split('?', 1)[0];
      // No service serves it: the same 404 a signed-in caller got before admission existed.
      if (!ownerOf(url)) return { status: 404, code: 'NOT_FOUND', message: `no API at ${path}`, identity };
      return {
        status: 403,
        code: 'FORBIDDEN',
        message: `${req.method} ${path} is not an operation of the API`,
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

export function createGatewayAccess(config: GatewayConfig, app: INestApplicationContext): GatewayAccess {
  return withRateLimits(
    new BearerAccess(config, app.get(IdentityService), app.get(ApiKeyAuthenticator)),
    config,
  );
}
