import { IDENTITY_HEADER, InternalIdentity, type Identity, type Role, type Territory } from '@duemap/auth';

/** The development IDENTITY_SECRET of libs/config, which services started by tests use unless told otherwise. */
export const TEST_IDENTITY_SECRET = 'duemap-development-identity-secret-not-for-production';

export interface TestIdentity {
  subject?: string;
  roles: Role[];
  territory?: Territory;
  sources?: string[];
  kind?: Identity['kind'];
}

/**
 * Headers a test sends to a service's own port, as the gateway would after admitting the caller:
 * the signed identity (IDENTITY_HEADER). Default: an admin.
 */
export async function identityHeaders(
  who: TestIdentity = { roles: ['admin'] },
  secret = TEST_IDENTITY_SECRET,
): Promise<Record<string, string>> {
  const identity: Identity = {
    subject: who.subject ?? `test-${who.roles.join('-')}`,
    kind: who.kind ?? 'user',
    roles: who.roles,
  };
  if (who.territory) identity.territory = who.territory;
  if (who.sources) identity.sources = who.sources;
  return { [IDENTITY_HEADER]: await new InternalIdentity(secret).sign(identity) };
}

/**
 * The identity a request to a stand-in service carries (verified as a real service would), or
 * undefined: stubs refuse such requests with 401 so a service that stopped sending one is noticed.
 */
export async function callerOf(
  req: { headers: Record<string, string | string[] | undefined> },
  secret = TEST_IDENTITY_SECRET,
): Promise<Identity | undefined> {
  const header = req.headers[IDENTITY_HEADER];
  if (typeof header !== 'string') return undefined;
  return new InternalIdentity(secret).verify(header).catch(() => undefined);
}
