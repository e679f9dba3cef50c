import { grantProblems, sourceRefusal } from './api-key-grant';

describe('API key grants', () => {
  it('accepts a scope within the roles', () => {
    expect(
      grantProblems({
        roles: ['integration'],
        scope: ['customers:write', 'invoices:write'],
        sources: ['sap'],
      }),
    ).toEqual([]);
    expect(grantProblems({ roles: ['integration'] })).toEqual([]);
  });

  it('refuses a scope beyond the roles, unknown permissions and roles, and bad source names', () => {
    expect(grantProblems({ roles: ['integration'], scope: ['api-keys:manage'] })).toEqual([
      { field: 'scope', message: 'scope goes beyond the roles integration: api-keys:manage' },
    ]);
    expect(grantProblems({ roles: ['root'], scope: ['customers:fly'] }).map((p) => p.field)).toEqual([
      'roles',
      'scope',
    ]);
    expect(grantProblems({ roles: [], scope: [], sources: [] }).map((p) => p.field)).toEqual([
      'roles',
      'scope',
      'sources',
    ]);
    expect(grantProblems({ roles: ['integration'], sources: ['SAP'] })).toEqual([
      { field: 'sources', message: 'sources must be lowercase source system names: SAP' },
    ]);
  });

  it('refuses a path naming a source system the caller is not limited to', () => {
    const put = (sourceSystem: string) => ({
      key: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      params: { sourceSystem, externalId: 'X' },
    });
    expect(sourceRefusal({ sources: ['sap'] }, put('sap'))).toBeUndefined();
    expect(sourceRefusal({ sources: ['sap'] }, put('kingdee'))).toContain('kingdee');
    expect(sourceRefusal({}, put('kingdee'))).toBeUndefined();
    expect(
      sourceRefusal({ sources: ['sap'] }, { key: 'GET /api/v1/customers/{id}', params: { id: '1' } }),
    ).toBeUndefined();
  });
});
