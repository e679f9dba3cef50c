import { IDENTITY_HEADER } from '@duemap/auth';
import type { ErrorBody } from '@duemap/http';
import { identityHeaders } from '@duemap/testing';
import { startCustomers, shenzhen, type CustomersHarness } from './customers-harness';

/**
 * The service's own port, reached without the gateway: no trust in the network. And what a caller
 * without personal-data:read (viewer, integration) sees of a customer's personal fields.
 */
describe('customers: callers are checked at the service, personal fields masked', () => {
  let h: CustomersHarness;
  let id: string;

  const body = {
    name: '深圳市南山科技有限公司',
    taxId: '91440300MA5FXXXX1X',
    address: shenzhen,
    contacts: [{ name: '李娜', email: 'ap@example.cn', phone: '+86 138 0013 8000', role: 'AP' }],
  };

  beforeAll(async () => {
    h = await startCustomers('customers_access');
    const created = await h.put('/api/v1/customers/sap-ecc-cn/ACCESS-1', body, { roles: ['finance'] });
    expect(created.status).toBe(201);
    id = created.body.id;
  });

  afterAll(async () => {
    await h?.close();
  });

  async function direct(path: string, headers: Record<string, string> = {}): Promise<[number, ErrorBody]> {
    const res = await fetch(`${h.url}${path}`, { headers });
    return [res.status, (await res.json()) as ErrorBody];
  }

  it('answers 401 UNAUTHENTICATED to a direct call without the gateway identity, in the shared error shape', async () => {
    for (const path of ['/api/v1/customers', `/api/v1/customers/${id}`, '/API/V1/customers']) {
      const [status, error] = await direct(path);
      expect([path, status]).toEqual([path, 401]);
      expect(error).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), details: [] } });
    }
  });

  it('answers 401 to an identity signed with another secret, a forged one and a bearer token it cannot verify', async () => {
    const other = await identityHeaders({ roles: ['admin'] }, 'some-other-secret-that-is-long-enough-too');
    const [status, error] = await direct('/api/v1/customers', other);
    expect(status).toBe(401);
    expect(error.error.code).toBe('UNAUTHENTICATED');
    const good = (await identityHeaders({ roles: ['viewer'] }))[IDENTITY_HEADER] ?? '';
    const [head, , signature] = good.split('.');
    const claims = Buffer.from(JSON.stringify({ sub: 'x', rol: ['admin'], exp: 4102444800 })).toString(
      'base64url',
    );
    expect(
      (await direct('/api/v1/customers', { [IDENTITY_HEADER]: `${head}.${claims}.${signature}` }))[0],
    ).toBe(401);
    expect((await direct('/api/v1/customers', { authorization: 'Bearer not.a.token' }))[0]).toBe(401);
  });

  it('answers 403 FORBIDDEN to a role without the permission, and leaves health and metrics open', async () => {
    const viewer = await h.put('/api/v1/customers/sap-ecc-cn/ACCESS-2', { name: 'X' }, { roles: ['viewer'] });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error).toMatchObject({ code: 'FORBIDDEN', details: [] });
    const otherSource = await h.put(
      '/api/v1/customers/kingdee/ACCESS-3',
      { name: 'X' },
      { roles: ['integration'], kind: 'api-key', sources: ['sap-ecc-cn'] },
    );
    expect(otherSource.status).toBe(403);
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(200);
  });

  it('shows finance the personal fields as stored', async () => {
    const { status, body: customer } = await h.get(`/api/v1/customers/${id}`, { roles: ['finance'] });
    expect(status).toBe(200);
    expect(customer.taxId).toBe('91440300MA5FXXXX1X');
    expect(customer.address).toEqual(shenzhen);
    expect(customer.contacts).toEqual([
      { name: '李娜', email: 'ap@example.cn', phone: '+8613800138000', role: 'AP', locale: null },
    ]);
  });

  it('masks them for a viewer on every read, and for an integration key on the answer to its write', async () => {
    const viewer = { roles: ['viewer' as const] };
    const single = (await h.get(`/api/v1/customers/${id}`, viewer)).body;
    const bySource = (await h.get('/api/v1/customers/by-source/sap-ecc-cn/ACCESS-1', viewer)).body;
    const listed = (await h.get('/api/v1/customers?q=南山科技', viewer)).body.items.find((c) => c.id === id);
    const written = (
      await h.put('/api/v1/customers/sap-ecc-cn/ACCESS-1', body, { roles: ['integration'], kind: 'api-key' })
    ).body;
    for (const customer of [single, bySource, listed, written]) {
      expect(customer).toMatchObject({
        id,
        name: body.name,
        taxId: '****XX1X',
        address: {
          country: 'CN',
          province: '广东省',
          city: '深圳市',
          district: '南山区',
          line1: '****',
          postcode: '51****',
        },
        contacts: [{ name: '李*', email: 'a***@example.cn', phone: '+86****8000', role: 'AP', locale: null }],
      });
      expect(JSON.stringify(customer)).not.toMatch(/科技园|518057|ap@example|0013|MA5F/);
    }
  });
});
