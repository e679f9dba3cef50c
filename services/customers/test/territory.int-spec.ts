import { randomBytes, randomUUID } from 'node:crypto';
import type { Territory } from '@duemap/auth';
import {
  identityHeaders,
  startServiceUnderTest,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { customersConfig, type CustomersConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

const GUANGDONG: Territory = { countries: [], provinces: ['CN/广东'], salesTerritories: [], customerIds: [] };
const COLLECTOR_A: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

interface Answer {
  status: number;
  body: { id?: string; items?: { id: string }[]; error?: { code: string } };
}

describe('customers: a collector lists and reads only the customers of their territory', () => {
  let service: ServiceUnderTest<CustomersConfig>;
  const run = randomUUID().slice(0, 8);
  const ids: Record<'a' | 'b' | 'east', string> = { a: '', b: '', east: '' };

  async function call(who: TestIdentity, method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(await identityHeaders(who)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }
  const listed = async (who: TestIdentity, query = '') =>
    ((await call(who, 'GET', `/api/v1/customers${query}`)).body.items ?? []).map((c) => c.id).sort();

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'customers',
      database: 'customers_territory',
      schema: customersConfig,
      env: { CUSTOMERS_PII_KEY: randomBytes(32).toString('base64') },
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const put = async (ref: string, name: string, province: string, salesTerritory?: string) => {
      const res = await call({ roles: ['integration'] }, 'PUT', `/api/v1/customers/spec/${ref}`, {
        name,
        address: { country: 'CN', province, city: '某市' },
        ...(salesTerritory === undefined ? {} : { salesTerritory }),
      });
      expect(res.status).toBe(201);
      return res.body.id ?? '';
    };
    ids.a = await put(`A-${run}`, 'Guangdong Co', '广东省');
    ids.b = await put(`B-${run}`, 'Zhejiang Co', '浙江省');
    ids.east = await put(`E-${run}`, 'East Co', '浙江省', 'East');
  });

  afterAll(async () => {
    await service?.close();
  });

  it('lists only the territory; finance lists every customer', async () => {
    expect(await listed(COLLECTOR_A)).toEqual([ids.a]);
    expect(await listed(COLLECTOR_A, '?region=浙江省')).toEqual([]);
    expect(await listed(FINANCE)).toEqual([ids.a, ids.b, ids.east].sort());
  });

  it('opens customers by sales territory and by explicit id too', async () => {
    const east: TestIdentity = {
      roles: ['collector'],
      territory: { countries: [], provinces: [], salesTerritories: ['East'], customerIds: [ids.b] },
    };
    expect(await listed(east)).toEqual([ids.b, ids.east].sort());
  });

  it("answers 404 for another territory's customer, by id and by source", async () => {
    expect((await call(COLLECTOR_A, 'GET', `/api/v1/customers/${ids.a}`)).status).toBe(200);
    const byId = await call(COLLECTOR_A, 'GET', `/api/v1/customers/${ids.b}`);
    expect(byId.status).toBe(404);
    expect(byId.body.error?.code).toBe('CUSTOMER_NOT_FOUND');
    expect((await call(COLLECTOR_A, 'GET', `/api/v1/customers/by-source/spec/B-${run}`)).status).toBe(404);
    expect((await call(COLLECTOR_A, 'GET', `/api/v1/customers/by-source/spec/A-${run}`)).status).toBe(200);
    expect((await call(FINANCE, 'GET', `/api/v1/customers/${ids.b}`)).status).toBe(200);
  });

  it('shows a collector without a territory nothing', async () => {
    expect(await listed({ roles: ['collector'] })).toEqual([]);
  });
});
