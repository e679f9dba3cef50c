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
import { GridDrainer } from '../src/map/grid-maintenance/grid-drainer';

interface Feature {
  properties: { customerId?: string; cluster?: boolean; point_count?: number };
}
interface Regions {
  regions: { key: string; count: number; outstanding: { amount: string; currency: string }[] }[];
  unlocated: number;
}

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR_A: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

describe('geocoding: a collector sees and counts only the customers of their territory', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  const a = [randomUUID(), randomUUID()];
  const b = [randomUUID(), randomUUID(), randomUUID()];
  const bUnlocated = randomUUID();

  async function get<T>(who: TestIdentity, path: string): Promise<T> {
    const res = await fetch(`${service.url}${path}`, { headers: await identityHeaders(who) });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }
  const ids = (features: Feature[]) => features.map((f) => f.properties.customerId).sort();
  const clustered = (features: Feature[]) =>
    features.reduce((n, f) => n + (f.properties.cluster ? (f.properties.point_count ?? 0) : 1), 0);

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'geocoding',
      database: 'geocoding_territory',
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
    for (const id of a)
      events.push(await customer(id, { countryCode: 'CN', region: '广东省', city: '深圳市' }));
    for (const id of b)
      events.push(await customer(id, { countryCode: 'CN', region: '浙江省', city: '杭州市' }));
    // An address no gazetteer knows (no such country): a customer without a location, outside A.
    events.push(await customer(bUnlocated, { countryCode: 'ZZ', region: '浙江省', city: '无此城市' }));
    for (const id of [...a, ...b]) {
      events.push(
        await service.publisher.publish(Topic.StatusChanged, {
          customerId: id,
          occurredAt,
          customerVersion: 2n,
          status: ArStatus.UNPAID,
        }),
      );
    }
    await service.handled(...events);
    await waitFor('every known address located', async () => {
      const all = await get<{ features: Feature[] }>(FINANCE, '/api/v1/map/customers');
      return all.features.length === a.length + b.length ? true : undefined;
    });
    // The grid and roll-ups (finance's views) follow the pins by the drainer's interval.
    await service.app.app.get(GridDrainer).drain();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('shows a collector only their pins; finance sees all', async () => {
    const mine = await get<{ features: Feature[] }>(COLLECTOR_A, '/api/v1/map/customers');
    expect(ids(mine.features)).toEqual([...a].sort());
    const all = await get<{ features: Feature[] }>(FINANCE, '/api/v1/map/customers');
    expect(ids(all.features)).toEqual([...a, ...b].sort());
  });

  it('clusters only their customers, at any zoom', async () => {
    for (const zoom of [1, 4, 8]) {
      const mine = await get<{ features: Feature[] }>(COLLECTOR_A, `/api/v1/map/customers?zoom=${zoom}`);
      expect(clustered(mine.features)).toBe(a.length);
    }
    const all = await get<{ features: Feature[] }>(FINANCE, '/api/v1/map/customers?zoom=1');
    expect(clustered(all.features)).toBe(a.length + b.length);
  });

  it("never counts another territory's customers in region roll-ups", async () => {
    for (const level of ['province', 'country']) {
      const mine = await get<Regions>(COLLECTOR_A, `/api/v1/map/regions?level=${level}`);
      expect(mine.regions.reduce((n, r) => n + r.count, 0)).toBe(a.length);
      expect(mine.unlocated).toBe(0);
      const all = await get<Regions>(FINANCE, `/api/v1/map/regions?level=${level}`);
      expect(all.regions.reduce((n, r) => n + r.count, 0)).toBe(a.length + b.length);
      expect(all.unlocated).toBe(1);
    }
    const provinces = await get<Regions>(COLLECTOR_A, '/api/v1/map/regions?level=province');
    expect(provinces.regions).toHaveLength(1);
  });

  it('shows a collector without a territory nothing', async () => {
    const none = await get<{ features: Feature[] }>({ roles: ['collector'] }, '/api/v1/map/customers');
    expect(none.features).toEqual([]);
    const regions = await get<Regions>({ roles: ['collector'] }, '/api/v1/map/regions');
    expect(regions.regions).toEqual([]);
  });
});
