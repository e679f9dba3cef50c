import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Territory } from '@duemap/auth';
import { Topic } from '@duemap/events';
import {
  identityHeaders,
  startServiceUnderTest,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { invoicingConfig, type InvoicingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR_A: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE_A: TestIdentity = { roles: ['finance'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

interface Answer {
  status: number;
  body: { id?: string; customerId?: string; items?: { customerId: string }[]; error?: { code: string } };
}

function isoDay(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

describe('invoicing: a collector lists, reads and voids only invoices of their territory', () => {
  let service: ServiceUnderTest<InvoicingConfig>;
  const inA = randomUUID();
  const inB = randomUUID();
  const invoiceOf = new Map<string, string>();

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

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'invoicing',
      database: 'invoicing_territory',
      schema: invoicingConfig,
      env: { CUSTOMERS_URL: 'http://127.0.0.1:9' },
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const occurredAt = timestampFromDate(new Date());
    const upserted = (customerId: string, region: string) =>
      service.publisher.publish(Topic.CustomerUpserted, {
        customerId,
        occurredAt,
        customerVersion: 1n,
        created: true,
        sources: [{ sourceSystem: 'spec', externalId: customerId }],
        name: `Customer ${customerId.slice(0, 8)}`,
        address: { countryCode: 'CN', region },
        timeZone: 'Asia/Shanghai',
      });
    await service.handled(await upserted(inA, '广东省'), await upserted(inB, '浙江省'));
    for (const customerId of [inA, inB]) {
      const put = await call({ roles: ['integration'] }, 'PUT', `/api/v1/invoices/spec/INV-${customerId}`, {
        customerId,
        number: `INV-${customerId.slice(0, 8)}`,
        issueDate: isoDay(-5),
        dueDate: isoDay(30),
        total: { amount: '100.00', currency: 'CNY' },
      });
      expect(put.status).toBe(201);
      invoiceOf.set(customerId, put.body.id ?? '');
    }
  });

  afterAll(async () => {
    await service?.close();
  });

  it("lists only the territory's invoices; finance lists both", async () => {
    const mine = await call(COLLECTOR_A, 'GET', '/api/v1/invoices');
    expect(mine.body.items?.map((i) => i.customerId)).toEqual([inA]);
    const filtered = await call(COLLECTOR_A, 'GET', `/api/v1/invoices?customerId=${inB}`);
    expect(filtered.body.items).toEqual([]);
    const all = await call(FINANCE, 'GET', '/api/v1/invoices');
    expect(all.body.items?.map((i) => i.customerId).sort()).toEqual([inA, inB].sort());
  });

  it("answers 404 for another territory's invoice, as for an unknown one", async () => {
    expect((await call(COLLECTOR_A, 'GET', `/api/v1/invoices/${invoiceOf.get(inA)}`)).status).toBe(200);
    const hidden = await call(COLLECTOR_A, 'GET', `/api/v1/invoices/${invoiceOf.get(inB)}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error?.code).toBe('INVOICE_NOT_FOUND');
    expect((await call(FINANCE, 'GET', `/api/v1/invoices/${invoiceOf.get(inB)}`)).status).toBe(200);
  });

  it("does not void another territory's invoice for a user limited to a territory", async () => {
    const refused = await call(FINANCE_A, 'POST', `/api/v1/invoices/${invoiceOf.get(inB)}/void`, {});
    expect(refused.status).toBe(404);
    const still = await call(FINANCE, 'GET', `/api/v1/invoices/${invoiceOf.get(inB)}`);
    expect((still.body as { status?: string }).status).not.toBe('void');
  });

  it('shows a collector without a territory nothing', async () => {
    const none = await call({ roles: ['collector'] }, 'GET', '/api/v1/invoices');
    expect(none.body.items).toEqual([]);
  });
});
