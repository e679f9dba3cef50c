import { createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { isPermission, isRole, type Permission, type Role } from './permissions';
import type { Identity, PrincipalKind, Territory } from './identity';

/** The header the gateway sets on every request it forwards; services trust nothing else from it. */
export const IDENTITY_HEADER = 'x-duemap-identity';

const ISSUER = 'duemap-gateway';
const AUDIENCE = 'duemap-services';
/** Long enough for a slow request and a retry; short enough that a leaked header soon expires. */
const LIFETIME_SECONDS = 120;

interface IdentityClaims {
  knd: PrincipalKind;
  rol: Role[];
  scp?: Permission[];
  src?: string[];
  ter?: Territory;
  kid?: string;
}

/**
 * The gateway's signed statement of who is calling, passed to the services in IDENTITY_HEADER: a
 * compact JWS (HS256) under IDENTITY_SECRET, which only the gateway and the services hold. A
 * service that gets a request without a valid one (a direct call to its port) refuses it with 401
 * unless it carries a valid bearer token of the configured issuer.
 */
export class InternalIdentity {
  private readonly key: KeyObject;

  constructor(secret: string) {
    if (Buffer.byteLength(secret) < 32) {
      throw new Error('IDENTITY_SECRET must be at least 32 bytes');
    }
    this.key = createSecretKey(Buffer.from(secret));
  }

  async sign(identity: Identity, now = Date.now()): Promise<string> {
    const claims: IdentityClaims = { knd: identity.kind, rol: [...identity.roles] };
    if (identity.scope) claims.scp = [...identity.scope];
    if (identity.sources) claims.src = [...identity.sources];
    if (identity.territory) claims.ter = identity.territory;
    if (identity.keyId) claims.kid = identity.keyId;
    const issuedAt = Math.floor(now / 1000);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS256', typ: 'duemap-identity+jwt' })
      .setSubject(identity.subject)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + LIFETIME_SECONDS)
      .sign(this.key);
  }

  /** The identity in a header value, or an error saying why it is not one. */
  async verify(token: string): Promise<Identity> {
    const { payload } = await jwtVerify(token, this.key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'duemap-identity+jwt',
      requiredClaims: ['sub', 'exp'],
    });
    const roles = Array.isArray(payload.rol) ? payload.rol.filter(isRole) : [];
    const identity: Identity = {
      subject: String(payload.sub),
      kind: payload.knd === 'api-key' || payload.knd === 'client' ? payload.knd : 'user',
      roles,
    };
    if (Array.isArray(payload.scp)) identity.scope = payload.scp.filter(isPermission);
    if (Array.isArray(payload.src)) identity.sources = payload.src.map(String);
    if (payload.ter && typeof payload.ter === 'object') identity.territory = payload.ter as Territory;
    if (typeof payload.kid === 'string') identity.keyId = payload.kid;
    return identity;
  }
}

export { joseErrors };
