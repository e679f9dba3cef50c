import { randomUUID } from 'node:crypto';
import type { Role, Territory } from '@duemap/auth';
import { SignJWT } from 'jose';
import type { StoredKey } from './key-rotation';
import { privateKeyOf } from './signing-keys';

export interface TokenClaims {
  /** `sub`: the user name. */
  subject: string;
  roles: readonly Role[];
  /** `duemap_territory`: where a collector may work. */
  territory?: Territory;
  /** Display name (`name`), for the console. */
  name?: string;
  /** Lifetime in seconds; the issuer's AUTH_TOKEN_TTL by default. */
  ttlSeconds?: number;
  /** `nbf`: not valid before (default: now). */
  notBefore?: Date;
}

export interface IssuerSettings {
  issuer: string;
  audience: string;
  defaultTtlSeconds: number;
}

export interface SignedToken {
  token: string;
  expiresIn: number;
  jti: string;
}

/** An OIDC-style access token of the local issuer, signed with `key` and naming it in `kid`. */
export async function signToken(
  key: StoredKey,
  claims: TokenClaims,
  settings: IssuerSettings,
  now = new Date(),
): Promise<SignedToken> {
  const ttl = Math.max(1, Math.floor(claims.ttlSeconds ?? settings.defaultTtlSeconds));
  const iat = Math.floor(now.getTime() / 1000);
  const jti = randomUUID();
  const payload: Record<string, unknown> = { roles: [...claims.roles] };
  if (claims.territory) payload.duemap_territory = claims.territory;
  if (claims.name) payload.name = claims.name;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.subject)
    .setIssuedAt(iat)
    .setNotBefore(claims.notBefore ? Math.floor(claims.notBefore.getTime() / 1000) : iat)
    .setExpirationTime(iat + ttl)
    .setJti(jti)
    .sign(await privateKeyOf(key));
  return { token, expiresIn: ttl, jti };
}
