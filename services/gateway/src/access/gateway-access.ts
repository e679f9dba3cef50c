import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity, MatchedOperation } from '@duemap/auth';

/** Why a call to /api/v1 is refused; the forwarder answers it in the shared error shape. */
export interface Denial {
  status: 401 | 403 | 404 | 429;
  code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'RATE_LIMITED';
  message: string;
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>;
  /** Who was refused, when known (authenticated, not permitted): the audit trail records it. */
  identity?: Identity;
}

/** A call let through: who makes it and which operation of the matrix it is. */
export interface Admission {
  identity: Identity;
  operation: MatchedOperation;
  /** The identity signed for the services (`@duemap/auth` InternalIdentity), sent as IDENTITY_HEADER. */
  signedIdentity: string;
}

export function isDenial(value: Denial | Admission): value is Denial {
  return (value as Denial).status !== undefined;
}

/**
 * The steps every /api/v1 call goes through at the gateway, in order: the per-address rate limit,
 * authentication (bearer token, API key or session cookie), the permission matrix, the
 * per-principal rate limit; and, once answered, the audit trail. Each step lives in its own folder
 * (auth/, rate-limit/, audit/); this interface is what the forwarder sees.
 */
export interface GatewayAccess {
  admit(req: IncomingMessage): Promise<Denial | Admission>;
  /** Called once the answer has been sent (or the client went away), with the admission if any. */
  finished(req: IncomingMessage, res: ServerResponse, admission: Admission | undefined): void;
  /** Releases what admission holds (the rate limits' Redis connection); called once the server has closed. */
  close?(): Promise<void>;
}
