import type { Identity } from './identity';
import { IDENTITY_HEADER, InternalIdentity } from './internal-identity';

/** Re-signed well inside the identity's lifetime (120 s), so a header never expires in flight. */
const REUSE_MS = 60_000;

/**
 * The identity a service presents when it asks another service's API for itself (a read-model
 * miss, not on behalf of a caller): `service:<name>`, a client with the viewer role, so it may read
 * customers and invoices and change nothing. Signed under IDENTITY_SECRET like the gateway's, since
 * every service checks its callers the same way.
 */
export class ServiceCaller {
  private readonly internal: InternalIdentity;
  private readonly identity: Identity;
  private signed?: { header: string; until: number };

  constructor(identitySecret: string, serviceName: string) {
    this.internal = new InternalIdentity(identitySecret);
    this.identity = { subject: `service:${serviceName}`, kind: 'client', roles: ['viewer'] };
  }

  async headers(now = Date.now()): Promise<Record<string, string>> {
    if (!this.signed || this.signed.until <= now) {
      this.signed = { header: await this.internal.sign(this.identity, now), until: now + REUSE_MS };
    }
    return { [IDENTITY_HEADER]: this.signed.header };
  }
}
