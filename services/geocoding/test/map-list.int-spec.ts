import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Territory } from '@duemap/auth';
import { ArStatus, Topic, type EventInitOf, type TopicName } from '@duemap/events';
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

interface Item {
  customerId: string;
  status: string;
  daysOverdue: number;
  creditGrade: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  lat: number;
  lng: number;
  priority: string | null;
}
interface List {
  items: Item[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; details: { field?: string; message: string }[] };
}
interface FeatureCollection {
  features: { properties: { customerId?: string; cluster?: boolean; point_count?: number } }[];
}

const FINANCE: TestIdentity = { roles: ['finance'] };
const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};

/**
 * GET /api/v1/map/list (issue 17): the map's customers as a paged list whatever the zoom (the
 * console's side list when the view is all groups, and the collector's worklist ranked by days
 * overdue × overdue amount), and the credit grade, region and source ERP filters of the map.
 */
describe('geocoding: the map as a list, and its grade / region / source filters', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  const daysAgo = (days: number) => timestampFromDate(new Date(Date.now() - days * 86_400_000));
  const now = timestampFromDate(new Date());
  // Guangzhou (广东) and Kunming (云南); the worklist ranks by days × overdue CNY.
  const c = {
    big: randomUUID(), // 10 days × 5,000 CNY = 50,000 (× 100 minor)
    old: randomUUID(), // 40 days × 1,000 CNY = 40,000
    usd: randomUUID(), // overdue in USD only: last in a CNY ranking
    unpaid: randomUUID(),
    kunming: randomUUID(),
  };
  const publish = <T extends TopicName>(topic: T, init: EventInitOf<T>): Promise<string> =>
    service.publisher.publish(topic, init);

  async function get<T>(path: string, who: TestIdentity = FINANCE): Promise<{ status: number; body: T }> {
    const res = await fetch(`${service.url}${path}`, { headers: await identityHeaders(who) });
    return { status: res.status, body: (await res.json()) as T };
  }

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'geocoding',
      database: 'geocoding_map_list',
      schema: geocodingConfig,
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const place = (city: string, region: string) => ({ countryCode: 'CN', region, city });
    const customers: [string, ReturnType<typeof place>, string[]][] = [
      [c.big, place('广州市', '广东省'), ['sap']],
      [c.old, place('广州市', '广东省'), ['kingdee', 'sap']],
      [c.usd, place('广州市', '广东省'), ['oracle']],
      [c.unpaid, place('广州市', '广东省'), ['kingdee']],
      [c.kunming, place('昆明市', '云南省'), ['yonyou']],
    ];
    const events: string[] = [];
    for (const [id, address, sources] of customers) {
      events.push(
        await publish(Topic.CustomerUpserted, {
          customerId: id,
          occurredAt: now,
          customerVersion: 1n,
          created: true,
          sources: sources.map((s) => ({ sourceSystem: s.toUpperCase(), externalId: id })),
          name: `List ${id.slice(0, 8)}`,
          address,
          timeZone: 'Asia/Shanghai',
        }),
      );
    }
    const money = (currency: string, amount: string) => ({
      currency,
      outstanding: { amount, currency },
      overdue: { amount, currency },
      unappliedCredit: { amount: '0', currency },
    });
    const overdue = async (id: string, days: number, currency: string, amount: string) => {
      events.push(
        await publish(Topic.StatusChanged, {
          customerId: id,
          occurredAt: daysAgo(days),
          customerVersion: 2n,
          status: ArStatus.OVERDUE,
        }),
        await publish(Topic.BalanceChanged, {
          customerId: id,
          occurredAt: now,
          customerVersion: 3n,
          balances: [money(currency, amount)],
        }),
      );
    };
    await overdue(c.big, 10, 'CNY', '5000.00');
    await overdue(c.old, 40, 'CNY', '1000.00');
    await overdue(c.usd, 90, 'USD', '9000.00');
    await overdue(c.kunming, 5, 'CNY', '100.00');
    events.push(
      await publish(Topic.StatusChanged, {
        customerId: c.unpaid,
        occurredAt: now,
        customerVersion: 2n,
        status: ArStatus.UNPAID,
      }),
      await publish(Topic.CreditRatingChanged, {
        customerId: c.old,
        occurredAt: now,
        customerVersion: 4n,
        rating: 'D',
        previousRating: '',
        reason: 'spec',
      }),
    );
    await service.handled(...events);
    await waitFor('five customers located', async () => {
      const { body } = await get<List>('/api/v1/map/list?limit=500');
      return body.items.length === 5 ? true : undefined;
    });
  }, 120_000);

  afterAll(async () => {
    await service?.close();
  });

  const ids = (list: List): string[] => list.items.map((i) => i.customerId);

  it('lists every customer of a box once, paged in customer id order, with where it is', async () => {
    const all = (await get<List>('/api/v1/map/list?bbox=112,22,115,24&limit=500')).body;
    expect(ids(all)).toEqual([c.big, c.old, c.usd, c.unpaid].sort());
    expect(all.nextCursor).toBeNull();
    // The city as the geocoder names it (GeoNames), the name the city roll-ups and boundaries key on.
    expect(all.items[0]).toMatchObject({ region: '广东省', city: 'Guangzhou' });
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: List = (
        await get<List>(`/api/v1/map/list?bbox=112,22,115,24&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(ids(all));
  });

  it('ranks the overdue by days overdue × overdue amount in the currency asked for, paged', async () => {
    const ranked = (await get<List>('/api/v1/map/list?status=overdue&sort=priority&currency=cny')).body;
    expect(ids(ranked)).toEqual([c.big, c.old, c.kunming, c.usd]);
    expect(ranked.items.map((i) => i.priority)).toEqual(['5000000', '4000000', '50000', '0']);
    const first = (await get<List>('/api/v1/map/list?status=overdue&sort=priority&limit=2')).body;
    const rest = (
      await get<List>(`/api/v1/map/list?status=overdue&sort=priority&limit=2&cursor=${first.nextCursor}`)
    ).body;
    expect([...ids(first), ...ids(rest)]).toEqual(ids(ranked));
    const inUsd = (await get<List>('/api/v1/map/list?status=overdue&sort=priority&currency=USD')).body;
    expect(ids(inUsd)[0]).toBe(c.usd);
  });

  it('filters the list and the map by credit grade, region and source ERP', async () => {
    const regionCode = (await get<List>('/api/v1/map/list?bbox=112,22,115,24&limit=1')).body.items[0]
      ?.regionCode;
    expect(regionCode).toBeTruthy();
    const list = async (query: string) => ids((await get<List>(`/api/v1/map/list?${query}`)).body).sort();
    expect(await list('grade=D')).toEqual([c.old]);
    expect(await list('grade=A,B')).toEqual([]);
    expect(await list(`region=CN-${regionCode}`)).toEqual([c.big, c.old, c.usd, c.unpaid].sort());
    expect(await list(`region=${encodeURIComponent(`CN-${regionCode}/Guangzhou`)}&status=unpaid`)).toEqual([
      c.unpaid,
    ]);
    expect(await list('region=CN')).toHaveLength(5);
    expect(await list('source=kingdee')).toEqual([c.old, c.unpaid].sort());
    expect(await list('source=sap,yonyou')).toEqual([c.big, c.old, c.kunming].sort());
    // The map's clusters follow the same filters (read from the pins, not the grid).
    const clustered = await get<FeatureCollection>('/api/v1/map/customers?zoom=3&source=kingdee');
    expect(clustered.status).toBe(200);
    const counted = clustered.body.features.reduce(
      (n, f) => n + (f.properties.cluster ? (f.properties.point_count ?? 0) : 1),
      0,
    );
    expect(counted).toBe(2);
    const pins = await get<FeatureCollection>('/api/v1/map/customers?grade=D');
    expect(pins.body.features.map((f) => f.properties.customerId)).toEqual([c.old]);
  });

  it("lists only the caller's territory", async () => {
    const collector = await get<List>('/api/v1/map/list?limit=500', {
      roles: ['collector'],
      territory: GUANGDONG,
    });
    expect(ids(collector.body).sort()).toEqual([c.big, c.old, c.usd, c.unpaid].sort());
  });

  it.each([
    ['cursor', 'cursor=AAAAAAAAAAAA'],
    ['cursor', `cursor=${Buffer.from('{"id":"a\\u0000"}').toString('base64url')}`],
    ['limit', 'limit=0'],
    ['limit', 'limit=501'],
    ['sort', 'sort=name'],
    ['currency', 'currency=yuan'],
    ['grade', `grade=${encodeURIComponent('A\u0000')}`],
    ['region', 'region=China'],
    ['source', `source=${'x'.repeat(101)}`],
  ])('refuses a malformed %s with a 400 naming it (%s)', async (field, query) => {
    const res = await get<ErrorBody>(`/api/v1/map/list?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d) => d.field)).toContain(field);
  });
});
