import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Territory } from '@duemap/auth';
import { ArStatus, Topic } from '@duemap/events';
import {
  identityHeaders,
  startServiceUnderTest,
  waitFor,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { geocodingConfig, type GeocodingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

interface Money {
  amount: string;
  currency: string;
}
interface Stop {
  sequence: number;
  customerId: string;
  name: string;
  lat: number;
  lng: number;
  legKm: number;
  cumulativeKm: number;
  expected: Money[];
  arrival?: string;
  lateMinutes?: number;
}
interface Route {
  stops: Stop[];
  totalKm: number;
  finishKm: number;
  totalExpected: Money[];
  totalOutstanding: Money[];
  feasible: boolean;
  violations: { customerId: string; lateMinutes: number }[];
  unlocated: { customerId: string; reason: string }[];
  leftOut: number;
  algorithm: string;
  computeMs: number;
}
interface ErrorBody {
  error: { code: string; details: { field?: string; message: string }[] };
}

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR_A: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };
const GUANGZHOU = { lat: 23.1291, lng: 113.2644 };

describe('geocoding: POST /api/v1/map/routes', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  const cities = { 深圳市: randomUUID(), 广州市: randomUUID(), 珠海市: randomUUID(), 佛山市: randomUUID() };
  const a = Object.values(cities);
  const b = [randomUUID(), randomUUID()];
  const unlocated = randomUUID();
  const bigDebtor = cities['珠海市'];

  async function plan<T = Route>(who: TestIdentity, body: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${service.url}/api/v1/map/routes`, {
      method: 'POST',
      headers: { ...(await identityHeaders(who)), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'geocoding',
      database: 'geocoding_routes',
      schema: geocodingConfig,
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const occurredAt = timestampFromDate(new Date());
    const customer = (customerId: string, address: { countryCode: string; region: string; city: string }) =>
      service.publisher.publish(Topic.CustomerUpserted, {
        customerId,
        occurredAt,
        customerVersion: 1n,
        created: true,
        sources: [{ sourceSystem: 'spec', externalId: customerId }],
        name: `Customer ${customerId.slice(0, 8)}`,
        address,
        timeZone: 'Asia/Shanghai',
      });
    const events: string[] = [];
    for (const [city, id] of Object.entries(cities)) {
      events.push(await customer(id, { countryCode: 'CN', region: '广东省', city }));
    }
    events.push(await customer(b[0] as string, { countryCode: 'CN', region: '浙江省', city: '杭州市' }));
    events.push(await customer(b[1] as string, { countryCode: 'CN', region: '浙江省', city: '宁波市' }));
    // No such country: a customer without a pin, inside 广东 by its region.
    events.push(await customer(unlocated, { countryCode: 'ZZ', region: '广东省', city: '无此城市' }));
    for (const id of [...a, ...b, unlocated]) {
      events.push(
        await service.publisher.publish(Topic.StatusChanged, {
          customerId: id,
          occurredAt,
          customerVersion: 2n,
          status: ArStatus.OVERDUE,
        }),
      );
      const overdue = id === bigDebtor ? '9000.00' : '100.00';
      events.push(
        await service.publisher.publish(Topic.BalanceChanged, {
          customerId: id,
          occurredAt,
          customerVersion: 3n,
          balances: [
            {
              currency: 'CNY',
              outstanding: { amount: '10000.00', currency: 'CNY' },
              overdue: { amount: overdue, currency: 'CNY' },
              unappliedCredit: { amount: '0', currency: 'CNY' },
            },
            ...(id === cities['深圳市']
              ? [
                  {
                    currency: 'USD',
                    outstanding: { amount: '50.00', currency: 'USD' },
                    overdue: { amount: '20.00', currency: 'USD' },
                    unappliedCredit: { amount: '0', currency: 'USD' },
                  },
                ]
              : []),
          ],
        }),
      );
    }
    await service.handled(...events);
    await waitFor('every known address located', async () => {
      const res = await fetch(`${service.url}/api/v1/map/customers`, {
        headers: await identityHeaders(FINANCE),
      });
      const body = (await res.json()) as { features: unknown[] };
      return body.features.length === a.length + b.length ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await service?.close();
  });

  it('orders the located customers of a filter, each once, with distances and amounts per currency', async () => {
    const { status, body } = await plan(FINANCE, { start: GUANGZHOU, filter: { status: ['overdue'] } });
    expect(status).toBe(200);
    expect(body.stops.map((s) => s.customerId).sort()).toEqual([...a, ...b].sort());
    expect(body.stops.map((s) => s.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    let cumulative = 0;
    for (const stop of body.stops) {
      cumulative += stop.legKm;
      expect(stop.cumulativeKm).toBeCloseTo(cumulative, 2);
    }
    expect(body.totalKm).toBeCloseTo(cumulative + body.finishKm, 2);
    expect(body.finishKm).toBe(0);
    // Never added across currencies: CNY and USD apart.
    expect(body.totalExpected).toEqual([
      { amount: '9500.00', currency: 'CNY' },
      { amount: '20.00', currency: 'USD' },
    ]);
    expect(body.totalOutstanding).toEqual([
      { amount: '60000.00', currency: 'CNY' },
      { amount: '50.00', currency: 'USD' },
    ]);
    expect(body.unlocated).toEqual([
      { customerId: unlocated, name: expect.any(String) as string, reason: expect.any(String) as string },
    ]);
    expect(body.algorithm).toContain('2-opt');
    expect(body.computeMs).toBeLessThan(1000);
    expect(body.feasible).toBe(true);
  });

  it('comes back to the start when asked', async () => {
    const { body } = await plan(FINANCE, { start: GUANGZHOU, customerIds: a, returnToStart: true });
    expect(body.finishKm).toBeGreaterThan(0);
    expect(body.stops).toHaveLength(a.length);
  });

  it('keeps the most overdue past the limit when weighted, and says how many were left out', async () => {
    // CNY debtors only: 深圳, the one USD debtor, holds the whole USD half of the weights.
    const cnyOnly = a.filter((id) => id !== cities['深圳市']);
    const { body } = await plan(FINANCE, {
      start: GUANGZHOU,
      customerIds: cnyOnly,
      limit: 1,
      weighting: 'overdue',
    });
    expect(body.stops.map((s) => s.customerId)).toEqual([bigDebtor]);
    expect(body.leftOut).toBe(cnyOnly.length - 1);
  });

  it('reports time windows it cannot keep', async () => {
    const { body } = await plan(FINANCE, {
      start: GUANGZHOU,
      customerIds: [cities['深圳市']],
      timeWindows: [{ customerId: cities['深圳市'], earliest: '08:00', latest: '08:10' }],
      schedule: { departure: '08:00', speedKmh: 40, serviceMinutes: 10 },
    });
    expect(body.feasible).toBe(false);
    expect(body.violations).toEqual([
      { customerId: cities['深圳市'], lateMinutes: expect.any(Number) as number },
    ]);
    expect(body.stops[0]?.arrival).toMatch(/^\d\d:\d\d$/);
  });

  it("routes a collector only their territory's customers; another's ids answer 404 like unknown ones", async () => {
    const mine = await plan(COLLECTOR_A, { start: GUANGZHOU, filter: {} });
    expect(mine.status).toBe(200);
    expect(mine.body.stops.map((s) => s.customerId).sort()).toEqual([...a].sort());
    expect(mine.body.unlocated.map((u) => u.customerId)).toEqual([]);

    const other = await plan<ErrorBody>(COLLECTOR_A, { start: GUANGZHOU, customerIds: [a[0], b[0]] });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('CUSTOMER_NOT_FOUND');
    expect(other.body.error.details.map((d) => d.field)).toEqual(['customerIds[1]']);

    const none = await plan({ roles: ['collector'] }, { start: GUANGZHOU, filter: {} });
    expect(none.body.stops).toEqual([]);
    const finance = await plan(FINANCE, { start: GUANGZHOU, customerIds: [a[0], b[0]] });
    expect(finance.status).toBe(200);
  });

  it.each([
    ['limit', { start: GUANGZHOU, filter: {}, limit: 201 }],
    ['customerIds', { start: GUANGZHOU, customerIds: Array.from({ length: 201 }, () => randomUUID()) }],
    ['customerIds', { start: GUANGZHOU, customerIds: [] }],
    ['customerIds', { start: GUANGZHOU }],
    ['start.lat', { start: { lat: 91, lng: 0 }, filter: {} }],
    ['start.lng', { start: { lat: 0, lng: 'east' }, filter: {} }],
    ['filter.bbox', { start: GUANGZHOU, filter: { bbox: [113, 24, 114, 22] } }],
    ['filter.minOverdue', { start: GUANGZHOU, filter: { minOverdue: { amount: 'lots', currency: 'CNY' } } }],
    ['returnToStart', { start: GUANGZHOU, end: GUANGZHOU, returnToStart: true, filter: {} }],
    ['filter.region', { start: GUANGZHOU, filter: { country: 'CN', region: "30'\u0000--" } }],
    [
      'timeWindows[0].latest',
      {
        start: GUANGZHOU,
        filter: {},
        timeWindows: [{ customerId: a[0], earliest: '12:00', latest: '09:00' }],
      },
    ],
  ])('answers 400 naming %s', async (field, body) => {
    const res = await plan<ErrorBody>(FINANCE, body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d) => d.field)).toContain(field);
  });

  it('answers 404 naming an unknown id', async () => {
    const res = await plan<ErrorBody>(FINANCE, { start: GUANGZHOU, customerIds: [randomUUID()] });
    expect(res.status).toBe(404);
    expect(res.body.error.details.map((d) => d.field)).toEqual(['customerIds[0]']);
  });

  it('filters by overdue amount', async () => {
    const { body } = await plan(FINANCE, {
      start: GUANGZHOU,
      filter: { minOverdue: { amount: '1000', currency: 'CNY' } },
    });
    expect(body.stops.map((s) => s.customerId)).toEqual([bigDebtor]);
  });
});
