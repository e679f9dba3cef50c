import { matchOperation, operationKey } from './operations';
import {
  OPERATION_PERMISSIONS,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLES,
  permissionsOfRoles,
} from './permissions';
import { effectivePermissions, territoryOf } from './identity';

describe('the permission matrix', () => {
  it('grants only known permissions and needs only known permissions', () => {
    for (const role of ROLES) for (const p of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(p);
    for (const p of Object.values(OPERATION_PERMISSIONS)) expect(PERMISSIONS).toContain(p);
  });

  it('keeps writes away from viewers and administration away from everyone but admins', () => {
    const viewer = permissionsOfRoles(['viewer']);
    expect([...viewer].filter((p) => p.endsWith(':write') || p.endsWith(':void'))).toEqual([]);
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      expect(ROLE_PERMISSIONS[role]).not.toContain('audit:read');
      expect(ROLE_PERMISSIONS[role]).not.toContain('api-keys:manage');
    }
  });

  it('narrows an API key to its scope, never beyond its roles', () => {
    const permissions = effectivePermissions({
      roles: ['integration'],
      scope: ['customers:write', 'audit:read'],
    });
    expect([...permissions]).toEqual(['customers:write']);
  });

  it('gives a collector without a territory an empty one, and no limit to finance', () => {
    expect(territoryOf({ subject: 'c', kind: 'user', roles: ['collector'] })).toEqual({
      countries: [],
      provinces: [],
      salesTerritories: [],
      customerIds: [],
    });
    expect(territoryOf({ subject: 'f', kind: 'user', roles: ['finance'] })).toBeUndefined();
  });
});

describe('matchOperation', () => {
  it('finds the operation and its parameters, literal segments first', () => {
    expect(matchOperation('GET', '/api/v1/customers/by-source/sap/C%2F42?x=1')).toEqual({
      key: 'GET /api/v1/customers/by-source/{sourceSystem}/{externalId}',
      permission: 'customers:read',
      params: { sourceSystem: 'sap', externalId: 'C/42' },
    });
    expect(matchOperation('GET', '/api/v1/customers/abc')?.key).toBe('GET /api/v1/customers/{id}');
    expect(matchOperation('HEAD', '/api/v1/customers')?.permission).toBe('customers:read');
    expect(matchOperation('POST', '/api/v1/invoices/abc/void')?.permission).toBe('invoices:void');
  });

  it('knows nothing the matrix does not name', () => {
    expect(matchOperation('DELETE', '/api/v1/customers/abc')).toBeUndefined();
    expect(matchOperation('GET', '/api/v1/customers/a/b/c/d')).toBeUndefined();
    expect(matchOperation('GET', '/api/v1/secret')).toBeUndefined();
    expect(matchOperation('GET', '/api/v1/customers/%E0%A4%A')?.params.id).toBe('%E0%A4%A');
  });

  it('turns an Express route into the matrix key', () => {
    expect(operationKey('get', '/api/v1/customers/:id')).toBe('GET /api/v1/customers/{id}');
    expect(OPERATION_PERMISSIONS[operationKey('put', '/api/v1/invoices/:sourceSystem/:externalId')]).toBe(
      'invoices:write',
    );
  });
});
