import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { isRole } from './permissions';
import type { Identity, Territory } from './identity';

/** Asymmetric algorithms only: `none` and HMAC (where a public key could be used as the secret) are refused. */
export const TOKEN_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
];

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** The issuer's key set: a JWKS URL (any OIDC provider), or a getter (the local issuer's keys). */
  keys: URL | JWTVerifyGetKey;
  /** Dotted path of the roles claim: `roles` (default), `realm_access.roles` (Keycloak). */
  rolesClaim?: string;
  /** Dotted path of the territory claim (an object shaped like Territory). */
  territoryClaim?: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  clockToleranceSeconds?: number;
  /** Verified tokens kept (until they expire) so a busy client is verified once, not per request. */
  cacheSize?: number;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function territoryFrom(value: unknown): Territory | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  return {
    countries: stringList(raw.countries),
    provinces: stringList(raw.provinces),
    salesTerritories: stringList(raw.salesTerritories),
    customerIds: stringList(raw.customerIds).map((id) => id.toLowerCase()),
  };
}

interface Cached {
  identity: Identity;
  expiresAt: number;
}

/**
 * Verifies OIDC-style bearer JWTs (signature against the issuer's JWKS, `iss`, `aud`, `exp`, `nbf`)
 * and reads the caller's identity from them. Roles not in the matrix are ignored; a token with no
 * known role is still valid but may do nothing.
 */
export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly cache: LRUCache<string, Cached>;

  constructor(private readonly options: TokenVerifierOptions) {
    this.keys =
      options.keys instanceof URL
        ? createRemoteJWKSet(options.keys, { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
        : options.keys;
    this.cache = new LRUCache({ max: options.cacheSize ?? 10_000 });
  }

  async verify(token: string, now = Date.now()): Promise<Identity> {
    const cached = this.cache.get(token);
    if (cached && cached.expiresAt > now) return cached.identity;
    const { payload } = await jwtVerify(token, this.keys, {
      algorithms: TOKEN_ALGORITHMS,
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockToleranceSeconds ?? 30,
      requiredClaims: ['sub', 'exp'],
      currentDate: new Date(now),
    });
    const identity = this.identityOf(payload);
    // Never past exp, and re-verified at least every minute (key rotation, clock).
    const expiresAt = Math.min((payload.exp ?? 0) * 1000, now + 60_000);
    this.cache.set(token, { identity, expiresAt });
    return identity;
  }

  private identityOf(payload: JWTPayload): Identity {
    const roles = stringList(claimAt(payload, this.options.rolesClaim ?? 'roles')).filter(isRole);
    const identity: Identity = {
      subject: String(payload.sub),
      kind: payload.client_id !== undefined && payload.grant === 'client_credentials' ? 'client' : 'user',
      roles,
    };
    const territory = territoryFrom(claimAt(payload, this.options.territoryClaim ?? 'duemap_territory'));
    if (territory) identity.territory = territory;
    return identity;
  }
}
