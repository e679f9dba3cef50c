import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK, type KeyLike } from 'jose';
import { Client } from 'pg';
import {
  OPERATION_PERMISSIONS,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLES,
  type Permission,
  type Role,
  type Territory,
} from '@duemap/auth';
import { OUTBOX_WRITES_SQL } from '@duemap/testing';
import { ownerOf } from '../services/gateway/src/routing/routes';
import { ApiClient, eventually, isoDate, type ApiResponse, type Money } from './api-client';
import {
  encodePathSegment,
  INJECTIONS,
  inputsOf,
  requestsFor,
  SchemaValues,
  type HostileRequest,
  type Known,
  type OpenApiSpec,
} from './hostile-requests';
import { startStack, type Stack, type StackDatabase } from './stack';

/**
 * Issue 15's acceptance through the gateway, against the whole platform on one stack:
 * (a) every operation of the published document: 401 without credentials, 403 without the
 *     permission, 2xx with it; a direct call to a service's port without the gateway's identity 401;
 * (b) a collector of territory A never sees territory B, path by path, aggregates included;
 * (c) refused credentials: alg none, another key, expired, not yet valid, wrong issuer or audience,
 *     revoked and out-of-scope API keys;
 * (d) a fast-check run over every query parameter and request body: never a 5xx, nothing changed
 *     by a refused request, injection strings in search and filters come back as data.
 */

interface Customer {
  id: string;
  name: string;
  taxId: string | null;
  sources: { sourceSystem: string; externalId: string }[];
  address: { country: string; province: string | null } | null;
  location: unknown;
}
interface Page<T> {
  items: T[];
}
interface Invoice {
  id: string;
  customerId: string;
  status: string;
}
interface MapFeature {
  properties: { customerId?: string; cluster?: boolean; point_count?: number };
}
interface Region {
  key: string;
  name: string;
  count: number;
}
interface Regions {
  regions: Region[];
  unlocated: number;
}

const cny = (amount: string): Money => ({ amount, currency: 'CNY' });
const PROVINCE_A = '广东省';
const PROVINCE_B = '浙江省';
const TERRITORY_A: Territory = {
  countries: [],
  provinces: [`CN/${PROVINCE_A}`],
  salesTerritories: [],
  customerIds: [],
};
/** The roles tried for "succeeds with the permission", in this order. */
const FIXTURE_ROLES: readonly Role[] = ['finance', 'integration', 'collector', 'viewer', 'admin'];
// A fixed seed on CI so a failure there can be replayed; a new one on every local run, printed.
const SEED = process.env.CI === 'true' ? 20261207 : Math.floor(Math.random() * 2 ** 31);
const PROPERTY_CASES = Number(process.env.SECURITY_PROPERTY_CASES ?? 10_000);
const CONCURRENCY = 16;

describe('access control through the gateway', () => {
  let stack: Stack;
  let document: OpenApiSpec;
  /** Who calls: a user of the stack's issuer per role, and collectors of territory A and B. */
  const as = {} as Record<Role | 'collectorA' | 'collectorB' | 'nobody', ApiClient>;
  let anonymous: ApiClient;
  const erp = `acl-${randomUUID().slice(0, 8)}`;
  /** Customers, invoices and payments of each territory, created by finance. */
  const seeded = {
    A: { customers: [] as Customer[], invoices: [] as Invoice[], payments: [] as string[] },
    B: { customers: [] as Customer[], invoices: [] as Invoice[], payments: [] as string[] },
  };
  let known: Known;
  const databases = new Map<StackDatabase, Client>();

  const operations = (): string[] =>
    Object.entries(document.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${template}`),
    );

  async function createCustomer(
    territory: 'A' | 'B',
    externalId: string,
    name: string,
    city: string,
  ): Promise<Customer> {
    const res = await as.finance.put<Customer>(`/api/v1/customers/${erp}/${externalId}`, {
      name,
      taxId: `9144${randomUUID().replace(/-/g, '').slice(0, 14).toUpperCase()}`,
      address: { country: 'CN', province: territory === 'A' ? PROVINCE_A : PROVINCE_B, city },
      currency: 'CNY',
    });
    expect(res.status).toBe(201);
    seeded[territory].customers.push(res.body);
    return res.body;
  }

  async function createInvoice(territory: 'A' | 'B', customer: Customer, number: string, dueInDays: number) {
    const res = await as.finance.put<Invoice>(`/api/v1/invoices/${erp}/${number}`, {
      customerId: customer.id,
      number,
      issueDate: isoDate(-30),
      dueDate: isoDate(dueInDays),
      total: cny('1000.00'),
    });
    expect(res.status).toBe(201);
    seeded[territory].invoices.push(res.body);
    return res.body;
  }

  async function pay(territory: 'A' | 'B', customer: Customer, invoice: Invoice): Promise<string> {
    const res = await eventually(
      'payments to know the invoice',
      () =>
        as.finance.post<{ id: string }>(
          '/api/v1/payments',
          {
            customerId: customer.id,
            amount: cny('300.00'),
            receivedAt: new Date().toISOString(),
            method: 'bank_transfer',
            reference: 'seed',
            allocations: [{ invoiceId: invoice.id, amount: cny('300.00') }],
          },
          { 'Idempotency-Key': `seed-${invoice.id}` },
        ),
      (r) => r.status === 201,
    );
    seeded[territory].payments.push(res.body.id);
    return res.body.id;
  }

  async function sql<R extends object>(
    db: StackDatabase,
    text: string,
    values: unknown[] = [],
  ): Promise<R[]> {
    let client = databases.get(db);
    if (!client) {
      client = new Client({ connectionString: stack.databases[db].url });
      await client.connect();
      databases.set(db, client);
    }
    return (await client.query<R>(text, values)).rows;
  }

  beforeAll(async () => {
    stack = await startStack({
      // The stack's rate limits are high (stack.ts): the property run sends thousands of calls a minute.
      env: { OVERDUE_SCAN_INTERVAL: '500ms' },
    });
    anonymous = new ApiClient(stack.gatewayUrl);
    for (const role of ROLES) {
      as[role] = anonymous.withToken(await stack.token({ roles: [role], subject: `acl-${role}` }));
    }
    as.collectorA = anonymous.withToken(
      await stack.token({ roles: ['collector'], subject: 'acl-collector-a', territory: TERRITORY_A }),
    );
    as.collectorB = anonymous.withToken(
      await stack.token({
        roles: ['collector'],
        subject: 'acl-collector-b',
        territory: { ...TERRITORY_A, provinces: [`CN/${PROVINCE_B}`] },
      }),
    );
    as.nobody = anonymous.withToken(await stack.token({ roles: [], subject: 'acl-nobody' }));
    const doc = await anonymous.get<OpenApiSpec>('/api/openapi.json');
    expect(doc.status).toBe(200);
    document = doc.body;

    // Two customers in each province, one invoice each (A1's and B1's overdue), a payment each for A1 and B1.
    const a1 = await createCustomer('A', 'A-1', '广州南方贸易有限公司', '广州市');
    const a2 = await createCustomer('A', 'A-2', '深圳前海物流有限公司', '深圳市');
    const b1 = await createCustomer('B', 'B-1', '杭州西湖茶业有限公司', '杭州市');
    const b2 = await createCustomer('B', 'B-2', '宁波港城机械有限公司', '宁波市');
    const ia1 = await createInvoice('A', a1, 'INV-A-1', -5);
    await createInvoice('A', a2, 'INV-A-2', 20);
    const ib1 = await createInvoice('B', b1, 'INV-B-1', -5);
    await createInvoice('B', b2, 'INV-B-2', 20);
    const pa1 = await pay('A', a1, ia1);
    await pay('B', b1, ib1);
    known = { customerId: a1.id, invoiceId: ia1.id, paymentId: pa1, sourceSystem: erp, externalId: 'A-1' };
    // Everything has reached the map and the reminders before any view is compared.
    await eventually(
      'every seeded customer on the map, every invoice with reminders',
      async () => {
        const pins = await as.finance.get<{ features: MapFeature[] }>('/api/v1/map/customers');
        const located = new Set(pins.body.features.map((f) => f.properties.customerId));
        // Finance's roll-ups are pre-aggregated, a drain interval behind the pins (ADR 0020).
        const regions = await as.finance.get<Regions>('/api/v1/map/regions');
        const rolledUp = regions.body.regions.reduce((sum, r) => sum + r.count, 0);
        let reminders = 0;
        for (const invoice of [...seeded.A.invoices, ...seeded.B.invoices]) {
          const r = await as.finance.get<unknown[]>(`/api/v1/reminders?invoiceId=${invoice.id}`);
          if (r.status === 200 && r.body.length > 0) reminders++;
        }
        return {
          located: [...seeded.A.customers, ...seeded.B.customers].filter((c) => located.has(c.id)).length,
          reminders,
          rolledUpAll: rolledUp === located.size,
        };
      },
      (v) => v.located === 4 && v.reminders === 4 && v.rolledUpAll,
      90_000,
    );
  });

  afterAll(async () => {
    await Promise.all([...databases.values()].map((c) => c.end().catch(() => undefined)));
    await stack?.stop();
  });

  describe('(b) a collector of territory A never sees territory B', () => {
    const idsOf = (items: { id: string }[]): string[] => items.map((i) => i.id).sort();
    /** Every customer finance sees, split by province: the truth the collector's view is compared with. */
    const truth = async (): Promise<{ A: Set<string>; B: Set<string> }> => {
      const all = await as.finance.get<Page<Customer>>('/api/v1/customers?limit=200');
      expect(all.status).toBe(200);
      const inA = all.body.items.filter((c) => c.address?.province === PROVINCE_A).map((c) => c.id);
      const notA = all.body.items.filter((c) => c.address?.province !== PROVINCE_A).map((c) => c.id);
      return { A: new Set(inA), B: new Set(notA) };
    };

    it('lists and searches only A', async () => {
      const { A, B } = await truth();
      expect(B.size).toBeGreaterThanOrEqual(2);
      const list = await as.collectorA.get<Page<Customer>>('/api/v1/customers?limit=200');
      expect(list.status).toBe(200);
      expect(idsOf(list.body.items)).toEqual([...A].sort());
      for (const b of seeded.B.customers) {
        for (const q of [b.name, b.taxId ?? '', b.sources[0]?.externalId ?? '']) {
          const found = await as.collectorA.get<Page<Customer>>(
            `/api/v1/customers?q=${encodeURIComponent(q)}`,
          );
          expect(found.status).toBe(200);
          expect(found.body.items).toEqual([]);
        }
      }
      const byRegion = await as.collectorA.get<Page<Customer>>(
        `/api/v1/customers?region=${encodeURIComponent(PROVINCE_B)}`,
      );
      expect([200, 404]).toContain(byRegion.status);
      if (byRegion.status === 200) expect(byRegion.body.items).toEqual([]);
      // The other way round: B's collector sees B and not A.
      const other = await as.collectorB.get<Page<Customer>>('/api/v1/customers?limit=200');
      expect(other.body.items.some((c) => A.has(c.id))).toBe(false);
      expect(other.body.items.length).toBeGreaterThanOrEqual(2);
    });

    it("answers 404 for B's customers, invoices, payments and reminders, 200 for A's", async () => {
      const [a1] = seeded.A.customers;
      const [ia1] = seeded.A.invoices;
      expect((await as.collectorA.get(`/api/v1/customers/${a1?.id}`)).status).toBe(200);
      expect((await as.collectorA.get(`/api/v1/customers/by-source/${erp}/A-1`)).status).toBe(200);
      expect((await as.collectorA.get(`/api/v1/invoices/${ia1?.id}`)).status).toBe(200);
      expect((await as.collectorA.get(`/api/v1/payments/${seeded.A.payments[0]}`)).status).toBe(200);
      const leaks: string[] = [];
      const mustBe404 = async (path: string): Promise<void> => {
        const res = await as.collectorA.get(path);
        if (res.status !== 404)
          leaks.push(`${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      };
      /** A list filtered by B's id: 404, or nothing in it. */
      const mustBeEmpty = async (path: string): Promise<void> => {
        const res = await as.collectorA.get<unknown[] | Page<unknown>>(path);
        const items = Array.isArray(res.body) ? res.body : res.body?.items;
        if (res.status !== 404 && !(res.status === 200 && Array.isArray(items) && items.length === 0)) {
          leaks.push(`${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      };
      for (const b of seeded.B.customers) {
        await mustBe404(`/api/v1/customers/${b.id}`);
        const source = b.sources[0];
        await mustBe404(`/api/v1/customers/by-source/${source?.sourceSystem}/${source?.externalId}`);
        await mustBeEmpty(`/api/v1/invoices?customerId=${b.id}`);
        await mustBeEmpty(`/api/v1/reminders?customerId=${b.id}`);
      }
      for (const invoice of seeded.B.invoices) {
        await mustBe404(`/api/v1/invoices/${invoice.id}`);
        await mustBeEmpty(`/api/v1/reminders?invoiceId=${invoice.id}`);
      }
      for (const payment of seeded.B.payments) await mustBe404(`/api/v1/payments/${payment}`);
      expect(leaks).toEqual([]);
    });

    it('lists only invoices of A', async () => {
      const { A } = await truth();
      const invoices = await as.collectorA.get<Page<Invoice>>('/api/v1/invoices?limit=500');
      expect(invoices.status).toBe(200);
      expect(invoices.body.items.filter((i) => !A.has(i.customerId))).toEqual([]);
      for (const invoice of seeded.A.invoices) expect(idsOf(invoices.body.items)).toContain(invoice.id);
    });

    it('acts on B in no way: no payment for a customer or invoice of B', async () => {
      const [b1] = seeded.B.customers;
      const [ib1] = seeded.B.invoices;
      const before = await sql<{ n: string }>('payments', 'SELECT count(*) AS n FROM payment');
      const res = await as.collectorA.post(
        '/api/v1/payments',
        {
          customerId: b1?.id,
          amount: cny('10.00'),
          receivedAt: new Date().toISOString(),
          method: 'cash',
          reference: 'collector A in B',
          allocations: [{ invoiceId: ib1?.id, amount: cny('10.00') }],
        },
        { 'Idempotency-Key': `acl-b-${randomUUID()}` },
      );
      // Refused as forbidden, or as unknown (B's customer does not exist for A's collector).
      expect([403, 404, 422]).toContain(res.status);
      expect(await sql<{ n: string }>('payments', 'SELECT count(*) AS n FROM payment')).toEqual(before);
    });

    it('shows only A on the map, pins and clusters at every zoom, counts included', async () => {
      const { A } = await truth();
      const locatedA = (
        await as.finance.get<{ features: MapFeature[] }>('/api/v1/map/customers')
      ).body.features
        .map((f) => f.properties.customerId)
        .filter((id): id is string => id !== undefined && A.has(id));
      for (const query of [
        '',
        '?zoom=0',
        '?zoom=2&bbox=73.5,18.1,135.1,53.6',
        '?zoom=5',
        '?zoom=9',
        '?zoom=16',
      ]) {
        const res = await as.collectorA.get<{ features: MapFeature[] }>(`/api/v1/map/customers${query}`);
        expect(res.status).toBe(200);
        const pins = res.body.features.filter((f) => f.properties.cluster !== true);
        expect(pins.filter((f) => !A.has(f.properties.customerId ?? ''))).toEqual([]);
        const counted = res.body.features.reduce(
          (sum, f) => sum + (f.properties.cluster === true ? (f.properties.point_count ?? 0) : 1),
          0,
        );
        expect({ query, counted }).toEqual({ query, counted: locatedA.length });
      }
    });

    it('rolls up only A: regions and countries count A alone', async () => {
      const { A } = await truth();
      const all = await as.finance.get<Regions>('/api/v1/map/regions');
      const mine = await as.collectorA.get<Regions>('/api/v1/map/regions');
      expect(mine.status).toBe(200);
      const guangdong = all.body.regions.find(
        (r) => r.name.includes('Guangdong') || r.name.includes(PROVINCE_A),
      );
      expect(guangdong).toBeDefined();
      // Every region the collector sees is A's, with A's count; none of B's (Zhejiang).
      expect(mine.body.regions.map((r) => [r.key, r.count])).toEqual([[guangdong?.key, guangdong?.count]]);
      const total = mine.body.regions.reduce((sum, r) => sum + r.count, 0) + mine.body.unlocated;
      expect(total).toBe(A.size);
      const countries = await as.collectorA.get<Regions>('/api/v1/map/regions?level=country&country=CN');
      expect(countries.body.regions.reduce((sum, r) => sum + r.count, 0)).toBe(guangdong?.count);
      for (const status of ['overdue', 'unpaid', 'paid']) {
        const byStatus = await as.collectorA.get<Regions>(`/api/v1/map/regions?status=${status}`);
        expect(byStatus.body.regions.filter((r) => r.key !== guangdong?.key)).toEqual([]);
      }
    });
  });

  describe('(c) refused credentials', () => {
    let issuer: string;
    let signingKey: { kid: string; key: KeyLike | Uint8Array };
    const probe = '/api/v1/customers?limit=1';
    const claims = { roles: ['finance'] };

    /** A token as the stack's issuer would sign it, with whatever claims the case needs. */
    const signed = (
      build: (jwt: SignJWT) => SignJWT,
      key: { kid: string; key: KeyLike | Uint8Array } = signingKey,
      alg = 'EdDSA',
    ): Promise<string> =>
      build(
        new SignJWT(claims)
          .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
          .setSubject('acl-crafted')
          .setIssuer(issuer)
          .setAudience('duemap')
          .setIssuedAt()
          .setExpirationTime('10m'),
      ).sign(key.key);
    const statusWith = async (authorization: Record<string, string>): Promise<number> =>
      (await anonymous.request('GET', probe, undefined, authorization)).status;

    beforeAll(async () => {
      issuer = stack.gatewayUrl;
      const [row] = await sql<{ kid: string; alg: string; private_jwk: JWK }>(
        'gateway',
        `SELECT kid, alg, private_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      );
      if (!row) throw new Error('the gateway has no signing key');
      signingKey = { kid: row.kid, key: await importJWK(row.private_jwk, row.alg) };
    });

    it("accepts a token crafted like the issuer's (the control for the cases below)", async () => {
      expect(await statusWith({ authorization: `Bearer ${await signed((jwt) => jwt)}` })).toBe(200);
    });

    it('refuses alg none, another key, expired, not yet valid, wrong issuer, wrong audience, garbage', async () => {
      const now = Math.floor(Date.now() / 1000);
      const other = await generateKeyPair('EdDSA');
      const cases: Record<string, string> = {
        'alg none': new UnsecuredJWT(claims)
          .setSubject('acl-crafted')
          .setIssuer(issuer)
          .setAudience('duemap')
          .setIssuedAt()
          .setExpirationTime('10m')
          .encode(),
        'another key, same kid': await signed((jwt) => jwt, { kid: signingKey.kid, key: other.privateKey }),
        'another key, its own kid': await signed((jwt) => jwt, {
          kid: 'not-the-issuers',
          key: other.privateKey,
        }),
        'HS256 under a guessable secret': await signed(
          (jwt) => jwt,
          {
            kid: signingKey.kid,
            key: new TextEncoder().encode('duemap-development-identity-secret-not-for-production'),
          },
          'HS256',
        ),
        expired: await signed((jwt) => jwt.setIssuedAt(now - 7200).setExpirationTime(now - 3600)),
        'not yet valid': await signed((jwt) => jwt.setNotBefore(now + 3600)),
        'wrong issuer': await signed((jwt) => jwt.setIssuer('https://evil.example')),
        'wrong audience': await signed((jwt) => jwt.setAudience('someone-else')),
        'no expiry': await new SignJWT(claims)
          .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid })
          .setSubject('acl-crafted')
          .setIssuer(issuer)
          .setAudience('duemap')
          .sign(signingKey.key),
        'signature cut off': (await signed((jwt) => jwt)).replace(/\.[^.]+$/, '.'),
        garbage: 'not-a-jwt',
      };
      const statuses = Object.fromEntries(
        await Promise.all(
          Object.entries(cases).map(async ([name, token]) => [
            name,
            await statusWith({ authorization: `Bearer ${token}` }),
          ]),
        ),
      );
      expect(statuses).toEqual(Object.fromEntries(Object.keys(cases).map((name) => [name, 401])));
      // Not even as the gateway's own identity header: a client's is dropped.
      const forged = await anonymous.request('GET', probe, undefined, {
        'x-duemap-identity': await signed((jwt) => jwt),
      });
      expect(forged.status).toBe(401);
    });

    it('refuses a revoked API key and one used beyond its scope or sources', async () => {
      const issue = async (body: Record<string, unknown>): Promise<{ id: string; key: string }> => {
        const res = await as.admin.post<{ id: string; key: string }>('/api/v1/api-keys', body);
        expect(res.status).toBe(201);
        return res.body;
      };
      const withKey = (key: string) => ({ 'x-api-key': key });
      const readOnly = await issue({
        name: 'acl-read-only',
        roles: ['integration'],
        scope: ['customers:read'],
      });
      expect((await anonymous.request('GET', probe, undefined, withKey(readOnly.key))).status).toBe(200);
      const write = await anonymous.request(
        'PUT',
        `/api/v1/customers/${erp}/K-1`,
        { name: 'Out of scope Ltd' },
        withKey(readOnly.key),
      );
      expect(write.status).toBe(403);
      const sapOnly = await issue({ name: 'acl-sap-only', roles: ['integration'], sources: ['sap'] });
      const elsewhere = await anonymous.request(
        'PUT',
        `/api/v1/customers/${erp}/K-2`,
        { name: 'Other source Ltd' },
        withKey(sapOnly.key),
      );
      expect(elsewhere.status).toBe(403);
      const sap = await anonymous.request(
        'PUT',
        `/api/v1/customers/sap/K-3-${erp}`,
        { name: 'SAP Ltd' },
        withKey(sapOnly.key),
      );
      expect(sap.status).toBe(201);
      const revoked = await as.admin.request('DELETE', `/api/v1/api-keys/${readOnly.id}`);
      expect(revoked.status).toBe(200);
      expect((await anonymous.request('GET', probe, undefined, withKey(readOnly.key))).status).toBe(401);
      expect((await anonymous.request('GET', probe, undefined, withKey(`${sapOnly.key}x`))).status).toBe(401);
      expect(
        await sql<{ n: string }>(
          'customers',
          `SELECT count(*) AS n FROM customer_sources WHERE external_id IN ('K-1', 'K-2')`,
        ),
      ).toEqual([{ n: '0' }]);
    });
  });

  describe('(a) every operation of the published document', () => {
    /**
     * A valid call of each operation, as `role` makes it (territory A's records, so a collector of
     * A may make it too). Each call makes what it needs, so it can be made once per role.
     */
    interface Call {
      path: string;
      body?: unknown;
      headers?: Record<string, string>;
    }
    type Fixture = (role: Role) => Call | Promise<Call>;
    let voidable = 0;
    /** A payment of territory A's customer, more than it owes: credit to refund, allocations to reverse. */
    const paymentLeavingCredit = async (): Promise<string> => {
      const res = await as.finance.post<{ id: string }>(
        '/api/v1/payments',
        {
          customerId: known.customerId,
          amount: cny('1000000.00'),
          receivedAt: new Date().toISOString(),
          method: 'bank_transfer',
          reference: 'matrix credit',
        },
        { 'Idempotency-Key': `matrix-credit-${randomUUID()}` },
      );
      expect(res.status).toBe(201);
      return res.body.id;
    };
    /** A statement credit from a payer nobody knows: cash application puts it in the worklist. */
    const paymentInReview = async (): Promise<string> => {
      const imported = await as.finance.request<{ id: string }>(
        'POST',
        '/api/v1/bank-statements',
        `booking_date,amount,currency,payer_name,bank_transaction_id\n${isoDate(0)},7.77,CNY,Nobody Known,matrix-review-${randomUUID()}\n`,
        { 'content-type': 'text/csv' },
      );
      expect(imported.status).toBe(201);
      const page = await eventually(
        'the statement line in the worklist',
        () =>
          as.finance.request<{ items: { id: string; status: string }[] }>(
            'GET',
            `/api/v1/payments?statementId=${imported.body.id}`,
          ),
        (res) => res.body.items[0]?.status === 'needs_review',
      );
      return (page.body.items[0] as { id: string }).id;
    };
    const FIXTURES: Record<string, Fixture> = {
      'PUT /api/v1/customers/{sourceSystem}/{externalId}': (role) => ({
        path: `/api/v1/customers/${erp}/M-${role}`,
        body: { name: `Matrix ${role}`, address: { country: 'CN', province: PROVINCE_A, city: '珠海市' } },
      }),
      'GET /api/v1/customers/by-source/{sourceSystem}/{externalId}': () => ({
        path: `/api/v1/customers/by-source/${erp}/A-1`,
      }),
      'GET /api/v1/customers/{id}': () => ({ path: `/api/v1/customers/${known.customerId}` }),
      'GET /api/v1/customers': () => ({ path: '/api/v1/customers?limit=5' }),
      'PUT /api/v1/invoices/{sourceSystem}/{externalId}': (role) => ({
        path: `/api/v1/invoices/${erp}/M-${role}`,
        body: {
          customerId: known.customerId,
          number: `M-${role}`,
          issueDate: isoDate(-1),
          dueDate: isoDate(30),
          total: cny('10.00'),
        },
      }),
      'GET /api/v1/invoices': () => ({ path: `/api/v1/invoices?customerId=${known.customerId}` }),
      'GET /api/v1/invoices/{id}': () => ({ path: `/api/v1/invoices/${known.invoiceId}` }),
      'POST /api/v1/invoices/{id}/void': async () => {
        const number = `VOID-${++voidable}`;
        const created = await as.finance.put<Invoice>(`/api/v1/invoices/${erp}/${number}`, {
          customerId: known.customerId,
          number,
          issueDate: isoDate(-1),
          dueDate: isoDate(30),
          total: cny('10.00'),
        });
        return { path: `/api/v1/invoices/${created.body.id}/void`, body: { reason: 'access matrix' } };
      },
      'POST /api/v1/payments': (role) => ({
        path: '/api/v1/payments',
        body: {
          customerId: known.customerId,
          amount: cny('1.00'),
          receivedAt: new Date().toISOString(),
          method: 'cash',
          reference: `matrix ${role}`,
        },
        headers: { 'Idempotency-Key': `matrix-${role}-${randomUUID()}` },
      }),
      'GET /api/v1/payments/{id}': () => ({ path: `/api/v1/payments/${known.paymentId}` }),
      'GET /api/v1/payments': () => ({ path: '/api/v1/payments?limit=5' }),
      'POST /api/v1/payments/{id}/reverse': async () => ({
        path: `/api/v1/payments/${await paymentLeavingCredit()}/reverse`,
        body: { reason: 'returned', detail: 'access matrix' },
      }),
      'POST /api/v1/payments/{id}/refunds': async (role) => ({
        path: `/api/v1/payments/${await paymentLeavingCredit()}/refunds`,
        body: { amount: cny('0.01'), method: 'bank_transfer', reference: `matrix ${role}` },
        headers: { 'Idempotency-Key': `matrix-refund-${role}-${randomUUID()}` },
      }),
      'POST /api/v1/payments/{id}/apply': async () => ({
        path: `/api/v1/payments/${await paymentInReview()}/apply`,
        body: { customerId: known.customerId },
      }),
      // The body is the statement file itself; each role's is a new one, so each import stores it.
      'POST /api/v1/bank-statements': (role) => ({
        path: '/api/v1/bank-statements',
        body: `booking_date,amount,currency,payer_name,bank_transaction_id\n${isoDate(0)},1.00,CNY,Matrix ${role},matrix-${role}-${randomUUID()}\n`,
        headers: { 'content-type': 'text/csv' },
      }),
      'GET /api/v1/bank-statements/{id}': async () => {
        const created = await as.finance.request<{ id: string }>(
          'POST',
          '/api/v1/bank-statements',
          `booking_date,amount,currency,bank_transaction_id\n${isoDate(0)},2.00,CNY,matrix-read-${randomUUID()}\n`,
          { 'content-type': 'text/csv' },
        );
        return { path: `/api/v1/bank-statements/${created.body.id}` };
      },
      'GET /api/v1/map/customers': () => ({ path: '/api/v1/map/customers?zoom=4' }),
      'GET /api/v1/map/regions': () => ({ path: '/api/v1/map/regions' }),
      'POST /api/v1/map/routes': () => ({
        path: '/api/v1/map/routes',
        body: { start: { lat: 23.13, lng: 113.26 }, filter: { status: ['unpaid', 'overdue'] }, limit: 20 },
      }),
      'GET /api/v1/map/boundaries': () => ({ path: '/api/v1/map/boundaries?level=province&region=CN' }),
      'GET /api/v1/map/unlocated': () => ({ path: '/api/v1/map/unlocated' }),
      'GET /api/v1/map/list': () => ({ path: '/api/v1/map/list?status=overdue&sort=priority' }),
      // A stream: ended by the server after a second, so the call has a whole answer to read.
      'GET /api/v1/map/live': () => ({ path: '/api/v1/map/live?maxSeconds=1' }),
      'GET /api/v1/reminders': () => ({ path: `/api/v1/reminders?invoiceId=${known.invoiceId}` }),
      'GET /api/v1/deliveries': () => ({ path: `/api/v1/deliveries?invoiceId=${known.invoiceId}` }),
      // 192.0.2.0/24 is TEST-NET-1: a public address nobody answers at, accepted without DNS.
      'POST /api/v1/subscriptions': (role) => ({
        path: '/api/v1/subscriptions',
        body: { url: `https://192.0.2.10/${role}`, eventTypes: ['customers.credit-rating-changed.v1'] },
      }),
      'GET /api/v1/subscriptions': () => ({ path: '/api/v1/subscriptions' }),
      'GET /api/v1/subscriptions/{id}': async () => ({
        path: `/api/v1/subscriptions/${await subscription()}`,
      }),
      'DELETE /api/v1/subscriptions/{id}': async () => ({
        path: `/api/v1/subscriptions/${await subscription()}`,
      }),
      'GET /api/v1/subscriptions/{id}/dead-letters': async () => ({
        path: `/api/v1/subscriptions/${await subscription()}/dead-letters`,
      }),
      'POST /api/v1/subscriptions/{id}/redeliver': async () => ({
        path: `/api/v1/subscriptions/${await subscription()}/redeliver`,
        body: {},
      }),
      'GET /api/v1/me': () => ({ path: '/api/v1/me' }),
      'GET /api/v1/audit': () => ({ path: '/api/v1/audit' }),
      'GET /api/v1/api-keys': () => ({ path: '/api/v1/api-keys' }),
      'POST /api/v1/api-keys': (role) => ({
        path: '/api/v1/api-keys',
        body: { name: `matrix-${role}` },
      }),
      'POST /api/v1/api-keys/{id}/rotate': async (role) => {
        const key = await as.admin.post<{ id: string }>('/api/v1/api-keys', { name: `rotate-${role}` });
        return { path: `/api/v1/api-keys/${key.body.id}/rotate`, body: {} };
      },
      'DELETE /api/v1/api-keys/{id}': async (role) => {
        const key = await as.admin.post<{ id: string }>('/api/v1/api-keys', { name: `revoke-${role}` });
        return { path: `/api/v1/api-keys/${key.body.id}` };
      },
    };
    async function subscription(): Promise<string> {
      const created = await as.admin.post<{ id: string }>('/api/v1/subscriptions', {
        url: 'https://192.0.2.10/matrix',
        eventTypes: ['customers.credit-rating-changed.v1'],
      });
      return created.body.id;
    }
    const methodOf = (operation: string): string => operation.split(' ')[0] as string;
    const clientOf = (role: Role): ApiClient => (role === 'collector' ? as.collectorA : as[role]);

    it('has every operation in the permission matrix and in the fixtures of this test', () => {
      expect(operations().length).toBeGreaterThanOrEqual(13);
      expect(operations().filter((op) => OPERATION_PERMISSIONS[op] === undefined)).toEqual([]);
      expect(operations().filter((op) => FIXTURES[op] === undefined)).toEqual([]);
    });

    it('answers 401 to every operation without credentials, and with a token of no role 403', async () => {
      const wrong: string[] = [];
      for (const op of operations()) {
        const call = await (FIXTURES[op] as Fixture)('admin');
        const res = await anonymous.request(methodOf(op), call.path, call.body, call.headers);
        if (res.status !== 401) wrong.push(`${op} without credentials → ${res.status}`);
        const roleless = await as.nobody.request(methodOf(op), call.path, call.body, call.headers);
        if (roleless.status !== 403) wrong.push(`${op} with no role → ${roleless.status}`);
      }
      expect(wrong).toEqual([]);
    });

    it('answers 403 to every role without the permission, and 2xx to every role with it', async () => {
      const wrong: string[] = [];
      const everyRoleHasIt: string[] = [];
      for (const op of operations()) {
        const permission = OPERATION_PERMISSIONS[op] as Permission;
        const without = ROLES.filter((role) => !ROLE_PERMISSIONS[role].includes(permission));
        if (without.length === 0) everyRoleHasIt.push(op);
        for (const role of without) {
          const call = await (FIXTURES[op] as Fixture)(role);
          const res = await clientOf(role).request(methodOf(op), call.path, call.body, call.headers);
          if (res.status !== 403) wrong.push(`${op} as ${role} (no ${permission}) → ${res.status}`);
        }
        for (const role of FIXTURE_ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(permission))) {
          const call = await (FIXTURES[op] as Fixture)(role);
          const res = await clientOf(role).request(methodOf(op), call.path, call.body, call.headers);
          if (res.status >= 300) {
            wrong.push(`${op} as ${role} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          }
        }
      }
      expect(wrong).toEqual([]);
      // Every role may read customers, invoices and payments (integration looks records up by
      // source key) and itself: for these operations no role is refused, only a token with no role
      // (the test above).
      const everyRoles: Permission[] = ['customers:read', 'invoices:read', 'payments:read', 'self:read'];
      expect(everyRoleHasIt.sort()).toEqual(
        operations()
          .filter((op) => everyRoles.includes(OPERATION_PERMISSIONS[op] as Permission))
          .sort(),
      );
    });

    it("answers 401 on a service's own port without the gateway's identity (none, or a forged one)", async () => {
      const wrong: string[] = [];
      for (const op of operations()) {
        const call = await (FIXTURES[op] as Fixture)('admin');
        const owner = ownerOf(call.path);
        if (owner === undefined || owner === 'gateway') continue;
        const direct = new ApiClient(stack.services[owner].url);
        const res = await direct.request(methodOf(op), call.path, call.body, {
          ...call.headers,
          'x-duemap-identity': 'forged',
        });
        if (res.status !== 401) wrong.push(`${op} on ${owner}'s port → ${res.status}`);
        const bare = await direct.request(methodOf(op), call.path, call.body, call.headers);
        if (bare.status !== 401) wrong.push(`${op} on ${owner}'s port, no identity → ${bare.status}`);
      }
      expect(wrong).toEqual([]);
    });

    it('knows every permission of the matrix', () => {
      const used = new Set(Object.values(OPERATION_PERMISSIONS));
      // personal-data:read is not an operation's: it unmasks fields of the reads.
      expect(PERMISSIONS.filter((p) => !used.has(p))).toEqual(['personal-data:read']);
    });
  });

  describe('(d) hostile input, property-based', () => {
    /** The state a refused call must leave as it was: rows of the main tables and outbox writes, per owner. */
    const STATE_SQL: Record<StackDatabase, string> = {
      customers: `SELECT (SELECT count(*) FROM customers) AS rows, (SELECT count(*) FROM customer_sources) AS sources, (${OUTBOX_WRITES_SQL}) AS outbox`,
      invoicing: `SELECT (SELECT count(*) FROM invoices) AS rows, (SELECT count(*) FROM invoice_payments) AS applied, (${OUTBOX_WRITES_SQL}) AS outbox`,
      payments: `SELECT (SELECT count(*) FROM payment) AS rows, (SELECT count(*) FROM payment_allocation) AS allocations, (${OUTBOX_WRITES_SQL}) AS outbox`,
      notifications: `SELECT (SELECT count(*) FROM reminders) AS rows, (${OUTBOX_WRITES_SQL}) AS outbox`,
      geocoding: `SELECT (SELECT count(*) FROM customer_pins) AS rows, (${OUTBOX_WRITES_SQL}) AS outbox`,
      gateway: `SELECT (SELECT count(*) FROM api_keys) AS rows`,
    };
    const ALL: StackDatabase[] = [
      'customers',
      'invoicing',
      'payments',
      'notifications',
      'geocoding',
      'gateway',
    ];
    const stateOf = async (owners: StackDatabase[]): Promise<string> =>
      JSON.stringify(await Promise.all(owners.map(async (o) => [o, await sql(o, STATE_SQL[o])])));
    /** Waits until nothing changes for a moment: what accepted calls set off (events, projections) has settled. */
    const quiet = async (): Promise<void> => {
      let last = await stateOf(ALL);
      const deadline = Date.now() + 60_000;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        const now = await stateOf(ALL);
        if (now === last) return;
        if (Date.now() > deadline) throw new Error(`the stack did not settle: ${now}`);
        last = now;
      }
    };

    const send = (client: ApiClient, r: HostileRequest): Promise<ApiResponse> => {
      const query = r.query.length > 0 ? `?${new URLSearchParams(r.query).toString()}` : '';
      const body =
        r.body === undefined ? undefined : 'raw' in r.body ? r.body.raw : JSON.stringify(r.body.json);
      const headers: Record<string, string> =
        r.method === 'POST' && r.operation === 'POST /api/v1/payments'
          ? { 'Idempotency-Key': `fuzz-${randomUUID()}` }
          : {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      return client.request(r.method, `${r.path}${query}`, body, headers);
    };

    it(`never answers 5xx and changes nothing when it refuses (${PROPERTY_CASES} cases, seed ${SEED})`, async () => {
      console.log(`access-control property run: seed ${SEED} (CI=true fixes it at 20261207)`);
      // Not the live map stream: a well-formed call is answered with a stream that lasts up to an hour.
      const ops = operations().filter((op) => !op.startsWith('DELETE') && op !== 'GET /api/v1/map/live');
      const values = new SchemaValues(document, known);
      const writes = ops.filter((op) => !op.startsWith('GET'));
      const reads = ops.filter((op) => op.startsWith('GET'));
      // Reads change nothing whatever they are answered; writes mostly hostile, so that most of
      // their batches are refused as a whole and can be checked to have changed nothing.
      const batchArb = (op: string, size: number, hostility: number) =>
        fc.array(requestsFor(document, values, known, op, hostility), { minLength: size, maxLength: size });
      const who = fc.constantFrom<Role | 'collectorA'>(
        'admin',
        'admin',
        'finance',
        'collectorA',
        'viewer',
        'integration',
      );
      const arb = fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...reads).chain((op) => fc.tuple(batchArb(op, CONCURRENCY, 0.3), who)),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...writes).chain((op) => fc.tuple(batchArb(op, 8, 0.5), who)),
        },
      );
      // Every failure is kept, one example per kind with a count, so one run names them all (the
      // seed replays it); fast-check only generates here, it does not stop at the first.
      const problems = new Map<string, { count: number; example: string }>();
      const problem = (kind: string, example: string): void => {
        const seen = problems.get(kind);
        if (seen) seen.count++;
        else problems.set(kind, { count: 1, example });
      };
      const statuses = new Map<number, number>();
      let cases = 0;
      let checkedBatches = 0;
      let settleNeeded = true;
      // ~3 read batches of 16 for each write batch of 8: 14 cases a batch on average, 12 counted
      // so that a seed drawing more write batches still makes the total.
      const numRuns = Math.ceil(PROPERTY_CASES / 12);
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(arb, async ([batch, caller]) => {
          const op = (batch[0] as HostileRequest).operation;
          const owner = ownerOf(op.split(' ')[1] ?? '') ?? 'gateway';
          if (settleNeeded) await quiet();
          const before = await stateOf([owner]);
          const answers = await Promise.all(
            batch.map((r) =>
              send(as[caller], r).catch((err: Error): ApiResponse => ({
                // No answer at all (the connection reset) counts as a server failure.
                status: 599,
                body: { error: `${err.message} ${(err.cause as { code?: string } | undefined)?.code ?? ''}` },
                headers: new Headers(),
              })),
            ),
          );
          cases += batch.length;
          const accepted = answers.some((a) => a.status < 300) && !op.startsWith('GET');
          settleNeeded = accepted;
          answers.forEach((a, i) => {
            statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
            if (a.status >= 500) {
              const r = batch[i] as HostileRequest;
              problem(
                `${a.status} ${op} as ${caller}`,
                `${r.method} ${r.path.slice(0, 200)} query ${JSON.stringify(r.query).slice(0, 300)} body ${JSON.stringify(r.body)?.slice(0, 300)} → ${JSON.stringify(a.body).slice(0, 300)}`,
              );
            }
          });
          if (!accepted) {
            checkedBatches++;
            const after = await stateOf([owner]);
            if (after !== before) {
              problem(
                `state changed by refused ${op}`,
                `as ${caller}: ${before} became ${after}; statuses ${answers.map((a) => a.status).join(',')}`,
              );
            }
          }
          return true;
        }),
        { numRuns, seed: SEED },
      );
      console.log(
        `access-control property run: ${cases} cases over ${inputsOf(document).length} inputs in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
          `${checkedBatches} batches checked unchanged; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
      expect(
        [...problems].map(([kind, { count, example }]) => `${kind} (${count}×), e.g. ${example}`),
      ).toEqual([]);
      expect(cases).toBeGreaterThanOrEqual(PROPERTY_CASES);
      // ~80 s on a quiet machine; several times that when the machine's two cores are shared.
    }, 900_000);

    it('returns injection strings in search text and filters as data', async () => {
      const wrong: string[] = [];
      const contains = (c: Customer, s: string): boolean =>
        [c.name, c.taxId ?? '', ...c.sources.map((x) => x.externalId)].some((f) =>
          f.toLowerCase().includes(s.trim().toLowerCase()),
        );
      const searchable = INJECTIONS.filter(
        (s) => s.trim().length > 0 && !s.includes('\u0000') && !s.includes('\ud800'),
      );
      for (const [i, s] of searchable.entries()) {
        const name = `Injected ${s}`;
        const created = await as.finance.put<Customer>(`/api/v1/customers/${erp}/INJ-${i}`, {
          name,
          address: { country: 'CN', province: PROVINCE_A, city: '广州市' },
        });
        if (created.status !== 201) {
          wrong.push(`named ${JSON.stringify(s)} → ${created.status} ${JSON.stringify(created.body)}`);
          continue;
        }
        const found = await as.finance.get<Page<Customer>>(
          `/api/v1/customers?q=${encodeURIComponent(s)}&limit=200`,
        );
        if (found.status !== 200) {
          wrong.push(`q=${JSON.stringify(s)} → ${found.status}`);
          continue;
        }
        if (!found.body.items.some((c) => c.id === created.body.id))
          wrong.push(`q=${JSON.stringify(s)} missed the customer named with it`);
        const others = found.body.items.filter((c) => !contains(c, s));
        if (others.length > 0)
          wrong.push(`q=${JSON.stringify(s)} matched ${others.map((c) => c.name).join(', ')}`);
        for (const filter of [`region=${encodeURIComponent(s)}`, `status=${encodeURIComponent(s)}`]) {
          const res = await as.finance.get<Page<Customer>>(`/api/v1/customers?${filter}`);
          if (!(res.status === 400 || (res.status === 200 && res.body.items.length === 0))) {
            wrong.push(`${filter} → ${res.status} with ${res.body.items?.length} rows`);
          }
        }
        const collector = await as.collectorA.get<Page<Customer>>(
          `/api/v1/customers?q=${encodeURIComponent(s)}`,
        );
        if (
          collector.status !== 200 ||
          collector.body.items.some((c) => c.address?.province !== PROVINCE_A)
        ) {
          wrong.push(`collector q=${JSON.stringify(s)} → ${collector.status}`);
        }
      }
      for (const s of INJECTIONS) {
        for (const path of [
          `/api/v1/map/customers?status=${encodePathSegment(s)}`,
          `/api/v1/map/regions?country=${encodePathSegment(s)}`,
          `/api/v1/invoices?customerId=${encodePathSegment(s)}`,
          `/api/v1/invoices?status=${encodePathSegment(s)}`,
          `/api/v1/reminders?invoiceId=${encodePathSegment(s)}`,
        ]) {
          const res = await as.finance.get(path);
          if (res.status !== 400) wrong.push(`${path} → ${res.status}`);
        }
      }
      // Still all there: nothing was dropped or rewritten by what was sent.
      const tables = await sql<{ n: string }>('customers', `SELECT count(*) AS n FROM customers`);
      expect(Number(tables[0]?.n)).toBeGreaterThanOrEqual(4 + searchable.length);
      expect(wrong).toEqual([]);
    });
  });
});
