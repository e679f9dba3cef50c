import { permissionsOfRoles, type Permission, type Role } from './permissions';

/**
 * Where a collector may work. A customer is inside when any selector matches it:
 * - `countries`: ISO 3166-1 alpha-2 codes of the customer's address (`CN`);
 * - `provinces`: `CN/广东省`-style country + province of the address (compared normalised:
 *   full-width folded, case and the administrative suffix ignored, so `CN/广东` matches too);
 * - `salesTerritories`: the customer's `salesTerritory` as the ERP sends it;
 * - `customerIds`: explicit customers.
 */
export interface Territory {
  countries: readonly string[];
  provinces: readonly string[];
  salesTerritories: readonly string[];
  customerIds: readonly string[];
}

export type PrincipalKind = 'user' | 'api-key' | 'client';

/** Who is calling, as the gateway established it and every service re-checks it. */
export interface Identity {
  /** Stable subject: the user name / OIDC `sub`, or `api-key:<id>`. */
  subject: string;
  kind: PrincipalKind;
  roles: readonly Role[];
  /**
   * What an API key or client token was scoped to (a subset of its roles' permissions); undefined
   * when the roles alone decide.
   */
  scope?: readonly Permission[];
  /** Source systems an API key may write for (`sap`, `kingdee`); undefined = any. */
  sources?: readonly string[];
  /** Undefined = every customer; a collector always has one (empty = none). */
  territory?: Territory;
  /** API key id, for the audit trail. */
  keyId?: string;
}

export function effectivePermissions(identity: Pick<Identity, 'roles' | 'scope'>): Set<Permission> {
  const granted = permissionsOfRoles(identity.roles);
  if (!identity.scope) return granted;
  const scoped = new Set(identity.scope);
  return new Set([...granted].filter((permission) => scoped.has(permission)));
}

export function hasPermission(identity: Pick<Identity, 'roles' | 'scope'>, permission: Permission): boolean {
  return effectivePermissions(identity).has(permission);
}

/** A collector's territory limits every read and write; other roles see every customer. */
export function territoryOf(identity: Identity): Territory | undefined {
  if (identity.territory) return identity.territory;
  if (identity.roles.includes('collector') && !identity.roles.some((r) => r !== 'collector')) {
    return EMPTY_TERRITORY;
  }
  return undefined;
}

export const EMPTY_TERRITORY: Territory = Object.freeze({
  countries: [],
  provinces: [],
  salesTerritories: [],
  customerIds: [],
});

/** Personal fields (tax id, contacts, street line, postcode) are masked without this permission. */
export function mayReadPersonalData(identity: Identity): boolean {
  return hasPermission(identity, 'personal-data:read');
}
