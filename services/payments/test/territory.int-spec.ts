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
import { paymentsConfig, type PaymentsConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR_A: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

interface Answer {
  status: number;
  body: { id?: string; customerId?: string; error?: { code: string } };
}

describe('payments: a collector records and reads payments only in their territory', () => {
  let service: ServiceUnderTest<PaymentsConfig>;
  const inA = randomUUID();
  const inB = randomUUID();

  async function call(who: TestIdentity, method: string, path: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(await identityHeaders(who)),
        ...(body === undefined
          ? {}
          : { 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }
  const pay = (who: TestIdentity, customerId: string) =>
    call(who, 'POST', '/api/v1/payments', {
      customerId,
      amount: { amount: '10.00', currency: 'CNY' },
      receivedAt: new Date().toISOString(),
      method: 'bank_transfer',
      reference: `ref-${randomUUID().slice(0, 8)}`,
    });

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'payments',
      database: 'payments_territory',
      schema: paymentsConfig,
      // Nothing to fall back to: every customer here is known from its event.
      env: { CUSTOMERS_URL: 'http://127.0.0.1:9', INVOICING_URL: 'http://127.0.0.1:9' },
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
  });

  afterAll(async () => {
    await service?.close();
  });

  it("refuses a payment for another territory's customer as not found, and stores nothing", async () => {
    const refused = await pay(COLLECTOR_A, inB);
    expect(refused.status).toBe(404);
    expect(refused.body.error?.code).toBe('CUSTOMER_NOT_FOUND');
    const { rows } = await service.sql.query(
      'SELECT count(*)::int AS n FROM payment WHERE customer_id = $1',
      [inB],
    );
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('records a payment for a customer inside the territory', async () => {
    const recorded = await pay(COLLECTOR_A, inA);
    expect(recorded.status).toBe(201);
    expect(recorded.body.customerId).toBe(inA);
  });

  it("reads only payments of the territory's customers; finance reads both", async () => {
    const ofA = await pay(FINANCE, inA);
    const ofB = await pay(FINANCE, inB);
    expect([ofA.status, ofB.status]).toEqual([201, 201]);
    expect((await call(COLLECTOR_A, 'GET', `/api/v1/payments/${ofA.body.id}`)).status).toBe(200);
    const hidden = await call(COLLECTOR_A, 'GET', `/api/v1/payments/${ofB.body.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error?.code).toBe('PAYMENT_NOT_FOUND');
    expect((await call(FINANCE, 'GET', `/api/v1/payments/${ofB.body.id}`)).status).toBe(200);
  });

  it('lets a collector without a territory record nothing', async () => {
    expect((await pay({ roles: ['collector'] }, inA)).status).toBe(404);
  });
});
