import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Territory } from '@duemap/auth';
import { decodeEvent, GeocodeFailureReason, Topic } from '@duemap/events';
import {
  collectMessages,
  identityHeaders,
  startServiceUnderTest,
  testKafka,
  waitFor,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { geocodingConfig, type GeocodingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { GridDrainer } from '../src/map/grid-maintenance/grid-drainer';

interface Unlocated {
  items: { customerId: string; reason: string; countryCode: string | null }[];
  nextCursor: string | null;
}

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

/**
 * Garbage and country-only addresses get no pin: the customer is listed as not located with the
 * reason, and geocode-failed says why (issue 16).
 */
describe('geocoding: customers that are not located', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  const located = randomUUID();
  const garbage = {
    asdfgh: randomUUID(),
    mars: randomUUID(),
    digits: randomUUID(),
    emoji: randomUUID(),
    ambiguous: randomUUID(),
  };

  async function get<T>(who: TestIdentity, path: string, status = 200): Promise<T> {
    const res = await fetch(`${service.url}${path}`, { headers: await identityHeaders(who) });
    expect(res.status).toBe(status);
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'geocoding',
      database: 'geocoding_unlocated',
      schema: geocodingConfig,
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const occurredAt = timestampFromDate(new Date());
    const customer = (customerId: string, address: Record<string, string>) =>
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
    await service.handled(
      await customer(located, { countryCode: 'CN', region: '广东省', city: '深圳市', district: '南山区' }),
      await customer(garbage.asdfgh, { countryCode: 'CN', singleLine: 'asdfgh' }),
      await customer(garbage.mars, { singleLine: '火星省不存在市' }),
      await customer(garbage.digits, { countryCode: 'CN', singleLine: '123' }),
      await customer(garbage.emoji, { countryCode: 'CN', singleLine: '😀😀' }),
      await customer(garbage.ambiguous, { countryCode: 'CN', singleLine: '朝阳区' }),
    );
  }, 120_000);

  afterAll(async () => {
    await service?.close();
  });

  it('puts no pin on the map for garbage, country-only or ambiguous addresses', async () => {
    const all = await waitFor('the located customer on the map', async () => {
      const map = await get<{ features: { properties: { customerId: string; precision: string } }[] }>(
        FINANCE,
        '/api/v1/map/customers',
      );
      return map.features.length > 0 ? map : undefined;
    });
    expect(all.features.map((f) => f.properties.customerId)).toEqual([located]);
    expect(all.features[0]?.properties.precision).toBe('district');
    // Its district code is on the pin, so district roll-ups group it under 南山区 (once the grid's
    // drainer has applied it: the roll-ups lag pin writes by its interval).
    await service.app.app.get(GridDrainer).drain();
    const districts = await get<{ regions: { districtCode: string | null; count: number }[] }>(
      FINANCE,
      '/api/v1/map/regions?level=district',
    );
    expect(districts.regions).toEqual([expect.objectContaining({ districtCode: '440305', count: 1 })]);
  });

  it('lists them as not located with the reason, paged, within the caller’s territory', async () => {
    const page = await waitFor('five not located', async () => {
      const p = await get<Unlocated>(FINANCE, '/api/v1/map/unlocated?limit=500');
      return p.items.length === 5 ? p : undefined;
    });
    const reasons = Object.fromEntries(page.items.map((i) => [i.customerId, i.reason]));
    expect(reasons).toEqual({
      [garbage.asdfgh]: 'COUNTRY_ONLY',
      [garbage.mars]: 'NO_MATCH',
      [garbage.digits]: 'COUNTRY_ONLY',
      [garbage.emoji]: 'COUNTRY_ONLY',
      [garbage.ambiguous]: 'AMBIGUOUS',
    });
    expect(page.nextCursor).toBeNull();

    const first = await get<Unlocated>(FINANCE, '/api/v1/map/unlocated?limit=2');
    expect(first.items).toHaveLength(2);
    const second = await get<Unlocated>(FINANCE, `/api/v1/map/unlocated?limit=10&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((i) => i.customerId)).toEqual(
      page.items.map((i) => i.customerId),
    );

    const collector = await get<Unlocated>(COLLECTOR, '/api/v1/map/unlocated');
    expect(collector.items).toEqual([]);
  });

  it('announces geocode-failed with the reason and the candidates of an ambiguous name', async () => {
    const messages = await collectMessages(testKafka(service.kafka.brokers), Topic.GeocodeFailed, 5);
    const events = messages.map((m) => decodeEvent(Topic.GeocodeFailed, m.message.value ?? new Uint8Array()));
    const ambiguous = events.find((e) => e.customerId === garbage.ambiguous);
    expect(ambiguous?.reason).toBe(GeocodeFailureReason.AMBIGUOUS);
    expect(ambiguous?.candidates.map((c) => c.code)).toEqual(expect.arrayContaining(['110105', '220104']));
    expect(events.find((e) => e.customerId === garbage.mars)?.reason).toBe(GeocodeFailureReason.NO_MATCH);
  });

  it('answers 400 naming limit for a bad page size', async () => {
    const body = await get<{ error: { code: string; details: { field: string }[] } }>(
      FINANCE,
      '/api/v1/map/unlocated?limit=0',
      400,
    );
    expect(body.error.details.map((d) => d.field)).toContain('limit');
  });
});
