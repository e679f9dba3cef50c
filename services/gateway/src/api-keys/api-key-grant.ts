import {
  isPermission,
  isRole,
  permissionsOfRoles,
  type Identity,
  type MatchedOperation,
  type Permission,
  type Role,
} from '@duemap/auth';

/** How the services name a source system (customers' upsert-customer.usecase.ts). */
export const SOURCE_SYSTEM = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const DEFAULT_API_KEY_ROLES: readonly Role[] = ['integration'];

export interface GrantProblem {
  field: 'roles' | 'scope' | 'sources';
  message: string;
}

/**
 * What a key may be given: known roles, a scope of permissions those roles have (a scope can only
 * narrow the roles, never widen them), and source systems named as the services name them.
 */
export function grantProblems(grant: {
  roles: readonly string[];
  scope?: readonly string[] | null;
  sources?: readonly string[] | null;
}): GrantProblem[] {
  const problems: GrantProblem[] = [];
  const unknownRoles = grant.roles.filter((role) => !isRole(role));
  if (grant.roles.length === 0)
    problems.push({ field: 'roles', message: 'roles must name at least one role' });
  if (unknownRoles.length) {
    problems.push({ field: 'roles', message: `roles has unknown roles: ${unknownRoles.join(', ')}` });
  }
  if (grant.scope) {
    const granted = permissionsOfRoles(grant.roles.filter(isRole));
    const unknown = grant.scope.filter((p) => !isPermission(p));
    const beyond = grant.scope.filter((p) => isPermission(p) && !granted.has(p));
    if (grant.scope.length === 0)
      problems.push({ field: 'scope', message: 'scope must name at least one permission' });
    if (unknown.length)
      problems.push({ field: 'scope', message: `scope has unknown permissions: ${unknown.join(', ')}` });
    if (beyond.length && unknownRoles.length === 0) {
      problems.push({
        field: 'scope',
        message: `scope goes beyond the roles ${grant.roles.join(', ')}: ${beyond.join(', ')}`,
      });
    }
  }
  if (grant.sources) {
    const bad = grant.sources.filter((s) => !SOURCE_SYSTEM.test(s));
    if (grant.sources.length === 0) {
      problems.push({
        field: 'sources',
        message: 'sources must name at least one source system, or be left out for any',
      });
    }
    if (bad.length) {
      problems.push({
        field: 'sources',
        message: `sources must be lowercase source system names: ${bad.join(', ')}`,
      });
    }
  }
  return problems;
}

/** Permissions as typed values, once grantProblems found none. */
export function asScope(scope: readonly string[] | null | undefined): Permission[] | null {
  return scope ? scope.filter(isPermission) : null;
}

/**
 * Why a caller limited to some source systems may not make this call: the path names another
 * (`PUT /api/v1/customers/kingdee/X` for a sap-only key). Undefined when it may. Bodies are not
 * read at the gateway: a service checks a source named in a body against the signed identity's
 * `sources`.
 */
export function sourceRefusal(
  identity: Pick<Identity, 'sources'>,
  operation: Pick<MatchedOperation, 'params' | 'key'>,
): string | undefined {
  const source = operation.params['sourceSystem'];
  if (!identity.sources || source === undefined || identity.sources.includes(source)) return undefined;
  return `this key may act only for ${identity.sources.join(', ')}, not for ${source} (${operation.key})`;
}
