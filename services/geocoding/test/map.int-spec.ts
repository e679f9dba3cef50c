import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  ArStatus,
  CustomerTier,
  decodeEvent,
  GeocodeFailureReason,
  GeocodePrecision,
  Topic,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import {
  collectMessages,
  startServiceUnderTest,
  testKafka,
  waitFor,
  identityHeaders,
  type ServiceUnderTest,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { geocodingConfig, type GeocodingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { GridDrainer } from '../src/map/grid-maintenance/grid-drainer';

interface Feature {
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: Record<string, unknown> & { customerId?: string; cluster?: boolean };
}
interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}
interface ErrorBody {
  error: { code: string; details: { field?: string; message: string }[] };
}

const PAID = '#2e7d32';
const UNPAID = '#c62828';
const OVERDUE = '#f9a825';

describe('geocoding service: customer events -> pins -> map', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  const base = Date.now() - 3_600_000;
  const at = (minutes: number) => timestampFromDate(new Date(base + minutes * 60_000));

  const publish = <T extends TopicName>(topic: T, init: EventInitOf<T>): Promise<string> =>
    service.publisher.publish(topic, init);

  /** The service has committed this event (its inbox row exists). */
  const processed = (eventId: string) => service.handled(eventId);

  /** The grid and roll-ups count every pin change committed so far (they lag writes by the drain interval). */
  const drained = () => service.app.app.get(GridDrainer).drain();

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${service.url}${path}`, { headers: await identityHeaders() });
    return { status: res.status, body: (await res.json()) as T };
  }

  const pinOf = async (customerId: string, query = ''): Promise<Feature | undefined> => {
    const { body } = await get<FeatureCollection>(`/api/v1/map/customers${query}`);
    return body.features.find((f) => f.properties.customerId === customerId);
  };

  const upserted = (customerId: string, minutes: number, address: Record<string, string>) =>
    publish(Topic.CustomerUpserted, {
      customerId,
      occurredAt: at(minutes),
      created: true,
      sources: [{ sourceSystem: 'spec', externalId: customerId }],
      name: `Customer ${customerId.slice(0, 8)}`,
      address,
      timeZone: 'Asia/Shanghai',
    });

  const status = (customerId: string, minutes: number, value: ArStatus) =>
    publish(Topic.StatusChanged, { customerId, occurredAt: at(minutes), status: value });

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'geocoding',
      schema: geocodingConfig,
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  const shanghai = randomUUID();

  it('geocodes a new customer, announces it, and shows a red pin once it is unpaid', async () => {
    await upserted(shanghai, 0, {
      countryCode: 'CN',
      region: '上海市',
      city: '上海市',
      district: '浦东新区',
    });
    await status(shanghai, 1, ArStatus.UNPAID);

    const [message] = await collectMessages(testKafka(service.kafka.brokers), Topic.CustomerGeocoded, 1);
    expect(message?.message.key?.toString()).toBe(shanghai);
    expect(message?.header('event-type')).toBe('duemap.geocoding.v1.CustomerGeocoded');
    const geocoded = decodeEvent(Topic.CustomerGeocoded, message?.message.value ?? new Uint8Array());
    expect(geocoded).toMatchObject({
      customerId: shanghai,
      // The district names it: placed at 浦东新区's seat, not Shanghai's centre.
      precision: GeocodePrecision.DISTRICT,
      source: 'gb2260-divisions',
      normalizedAddress: { countryCode: 'CN', region: '上海市', city: 'Shanghai' },
    });
    expect(geocoded.latitude).toBeCloseTo(31.25, 1);
    expect(geocoded.longitude).toBeCloseTo(121.56, 1);

    const pin = await waitFor('a red pin in Shanghai', async () => {
      const f = await pinOf(shanghai);
      return f?.properties.status === 'unpaid' ? f : undefined;
    });
    expect(pin.properties).toMatchObject({
      name: `Customer ${shanghai.slice(0, 8)}`,
      color: UNPAID,
      precision: 'district',
      source: 'gb2260-divisions',
      outstanding: null,
      overdue: null,
    });
    const [lng, lat] = pin.geometry.coordinates;
    expect(lat).toBeCloseTo(31.25, 1);
    expect(lng).toBeCloseTo(121.56, 1);
  });

  it('turns the pin green on a later status-changed and ignores an older one', async () => {
    await processed(await status(shanghai, 10, ArStatus.PAID));
    expect((await pinOf(shanghai))?.properties).toMatchObject({ status: 'paid', color: PAID });

    // Older than the PAID above: events of one customer can arrive out of order across topics.
    await processed(await status(shanghai, 5, ArStatus.OVERDUE));
    expect((await pinOf(shanghai))?.properties).toMatchObject({ status: 'paid', color: PAID });
  });

  it('puts balances on the pin, ignoring an older balance-changed', async () => {
    const balance = (minutes: number, outstanding: string, overdue: string) =>
      publish(Topic.BalanceChanged, {
        customerId: shanghai,
        occurredAt: at(minutes),
        balances: [
          {
            currency: 'CNY',
            outstanding: { amount: outstanding, currency: 'CNY' },
            overdue: { amount: overdue, currency: 'CNY' },
            unappliedCredit: { amount: '0', currency: 'CNY' },
          },
        ],
      });
    await processed(await balance(20, '1500.00', '500.00'));
    await processed(await balance(15, '9.99', '0'));
    expect((await pinOf(shanghai))?.properties).toMatchObject({
      outstanding: { amount: '1500.00', currency: 'CNY' },
      overdue: { amount: '500.00', currency: 'CNY' },
    });
  });

  it('applies status and balance events arriving together as one by one would: the newest wins', async () => {
    const customers = Array.from({ length: 10 }, () => randomUUID());
    // Published back to back, so the consumer takes them in groups; per customer the newest comes
    // second, an older one third, and balances move from two currencies to one.
    const ids: string[] = [];
    for (const [i, c] of customers.entries()) {
      ids.push(await status(c, 30, ArStatus.OVERDUE));
      ids.push(await status(c, 31, i % 2 === 0 ? ArStatus.PAID : ArStatus.UNPAID));
      ids.push(await status(c, 29, ArStatus.OVERDUE));
      ids.push(
        await publish(Topic.BalanceChanged, {
          customerId: c,
          occurredAt: at(30),
          balances: [
            { currency: 'CNY', outstanding: { amount: '10.00', currency: 'CNY' } },
            { currency: 'USD', outstanding: { amount: '1.00', currency: 'USD' } },
          ],
        }),
      );
      ids.push(
        await publish(Topic.BalanceChanged, {
          customerId: c,
          occurredAt: at(31),
          balances: [{ currency: 'CNY', outstanding: { amount: `${i}.00`, currency: 'CNY' } }],
        }),
      );
    }
    for (const id of ids) await processed(id);
    const rows = await service.sql.query<{
      customer_id: string;
      status: string;
      currencies: string[];
      cny: string;
    }>(
      `SELECT p.customer_id, p.status,
              array_agg(b.currency::text ORDER BY b.currency) AS currencies,
              max(b.outstanding_minor) FILTER (WHERE b.currency = 'CNY')::text AS cny
         FROM customer_pins p JOIN customer_pin_balances b USING (customer_id)
        WHERE p.customer_id = ANY($1::text[]) GROUP BY p.customer_id, p.status`,
      [customers],
    );
    const byCustomer = new Map(rows.rows.map((r) => [r.customer_id, r]));
    for (const [i, c] of customers.entries()) {
      expect(byCustomer.get(c)).toEqual({
        customer_id: c,
        status: i % 2 === 0 ? 'paid' : 'unpaid',
        currencies: ['CNY'],
        cny: String(i * 100),
      });
    }
    // These pins have no location: they would count as unlocated in the roll-ups below.
    await service.sql.query(`DELETE FROM customer_pins WHERE customer_id = ANY($1::text[])`, [customers]);
  });

  it('creates the pin from a status event that comes before the customer, and places it later', async () => {
    const early = randomUUID();
    await processed(await status(early, 1, ArStatus.OVERDUE));
    expect(await pinOf(early)).toBeUndefined(); // no location yet
    await processed(await upserted(early, 0, { countryCode: 'DE', city: 'Berlin' }));
    const pin = await pinOf(early);
    expect(pin?.properties).toMatchObject({ status: 'overdue', color: OVERDUE });
    expect(pin?.geometry.coordinates[1]).toBeCloseTo(52.52, 1);
  });

  it("a customer without status events is 'paid'; an unlocatable address withdraws the pin", async () => {
    const moving = randomUUID();
    await processed(await upserted(moving, 0, { countryCode: 'CN', city: '深圳' }));
    const pin = await pinOf(moving);
    expect(pin?.properties).toMatchObject({ status: 'paid', color: PAID });
    expect(pin?.geometry.coordinates[0]).toBeCloseTo(114.07, 1);

    await processed(
      await publish(Topic.AddressChanged, {
        customerId: moving,
        occurredAt: at(30),
        address: { countryCode: 'XX', city: 'Atlantis' },
      }),
    );
    expect(await pinOf(moving)).toBeUndefined();
    const failures = await collectMessages(testKafka(service.kafka.brokers), Topic.GeocodeFailed, 1);
    const failed = decodeEvent(Topic.GeocodeFailed, failures[0]?.message.value ?? new Uint8Array());
    expect(failed).toMatchObject({
      customerId: moving,
      reason: GeocodeFailureReason.NO_MATCH,
      willRetry: false,
      address: { countryCode: 'XX', city: 'Atlantis' },
    });
  });

  it('clusters pins for a zoom level, with counts per status and the dominant colour', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const statuses = [ArStatus.UNPAID, ArStatus.OVERDUE, ArStatus.OVERDUE];
    for (const [i, id] of ids.entries()) {
      await upserted(id, 0, { countryCode: 'CN', region: '四川省', city: '成都市' });
      await status(id, 1, statuses[i] ?? ArStatus.PAID);
    }
    const chengdu = '103,30,105,31.5';
    await waitFor('three pins in Chengdu: one unpaid, two overdue', async () => {
      const { body } = await get<FeatureCollection>(`/api/v1/map/customers?bbox=${chengdu}`);
      const seen = body.features.map((f) => f.properties.status).sort();
      return seen.join() === 'overdue,overdue,unpaid' ? true : undefined;
    });
    await drained();
    const overdueOnly = await get<FeatureCollection>(`/api/v1/map/customers?bbox=${chengdu}&status=overdue`);
    expect(overdueOnly.body.features).toHaveLength(2);
    const { status: code, body } = await get<FeatureCollection>(
      `/api/v1/map/customers?bbox=${chengdu}&zoom=6`,
    );
    expect(code).toBe(200);
    expect(body.features).toHaveLength(1);
    expect(body.features[0]?.properties).toMatchObject({
      cluster: true,
      point_count: 3,
      counts: { paid: 0, unpaid: 1, overdue: 2 },
      status: 'overdue',
      color: OVERDUE,
    });
    // Far away, Shanghai and Berlin stay out of the box.
    const world = await get<FeatureCollection>('/api/v1/map/customers?zoom=2');
    const clusters = world.body.features.filter((f) => f.properties.cluster === true);
    expect(clusters.length).toBeGreaterThanOrEqual(1);
  });

  it('rolls up count and amounts per province and per country', async () => {
    await drained();
    const provinces = await get<{
      regions: { key: string; name: string; count: number }[];
      unlocated: number;
    }>('/api/v1/map/regions?level=province');
    expect(provinces.status).toBe(200);
    expect(provinces.body.regions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'CN-32', name: '四川省', count: 3 }),
        expect.objectContaining({
          key: 'CN-23',
          name: '上海市',
          count: 1,
          outstanding: [{ amount: '1500.00', currency: 'CNY' }],
          overdue: [{ amount: '500.00', currency: 'CNY' }],
        }),
      ]),
    );
    expect(provinces.body.unlocated).toBe(1);
    const countries = await get<{ regions: { key: string; name: string; count: number }[] }>(
      '/api/v1/map/regions?level=country',
    );
    expect(countries.body.regions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'CN', name: 'China', count: 4 }),
        expect.objectContaining({ key: 'DE', name: 'Germany', count: 1 }),
      ]),
    );
  });

  it.each([
    ['bbox=1,2,3', 'bbox'],
    ['bbox=10,50,20,40', 'bbox'],
    ['bbox=-200,0,10,10', 'bbox'],
    ['zoom=abc', 'zoom'],
    ['zoom=30', 'zoom'],
    ['status=green', 'status'],
    ['status=paid&status=unpaid', 'status'],
    ['colour=red', 'colour'],
  ])('GET /api/v1/map/customers?%s is a 400 naming %s', async (query, field) => {
    const { status: code, body } = await get<ErrorBody>(`/api/v1/map/customers?${query}`);
    expect(code).toBe(400);
    expect(body.error.details.map((d) => d.field)).toContain(field);
  });

  it('GET /api/v1/map/regions?level=county is a 400 naming level', async () => {
    const { status: code, body } = await get<ErrorBody>('/api/v1/map/regions?level=county');
    expect(code).toBe(400);
    expect(body.error.details.map((d) => d.field)).toContain('level');
  });
  describe('versions order what clocks cannot (two customers instances with skewed clocks)', () => {
    const pinRow = async (customerId: string) =>
      (
        await service.sql.query<{ name: string; status: string; cny: string | null; country: string | null }>(
          `SELECT p.name, p.status, p.country_code AS country,
                  (SELECT b.outstanding_minor::text FROM customer_pin_balances b
                    WHERE b.customer_id = p.customer_id AND b.currency = 'CNY') AS cny
             FROM customer_pins p WHERE p.customer_id = $1`,
          [customerId],
        )
      ).rows[0];

    it('recolours the pin on a later customer version stamped earlier, and ignores an older one stamped later', async () => {
      const c = randomUUID();
      const statusV = (minutes: number, value: ArStatus, customerVersion: bigint) =>
        publish(Topic.StatusChanged, {
          customerId: c,
          occurredAt: at(minutes),
          status: value,
          customerVersion,
        });
      await processed(await statusV(40, ArStatus.UNPAID, 3n));
      // Paid, recomputed by a customers instance whose clock is ten minutes behind.
      await processed(await statusV(30, ArStatus.PAID, 4n));
      expect((await pinRow(c))?.status).toBe('paid');
      // Overdue of version 2, from an instance whose clock is ahead, delivered late.
      await processed(await statusV(50, ArStatus.OVERDUE, 2n));
      expect((await pinRow(c))?.status).toBe('paid');
    });

    it('replaces balances on a later customer version stamped earlier, and ignores an older one', async () => {
      const c = randomUUID();
      const balanceV = (minutes: number, outstanding: string, customerVersion: bigint) =>
        publish(Topic.BalanceChanged, {
          customerId: c,
          occurredAt: at(minutes),
          customerVersion,
          balances: [{ currency: 'CNY', outstanding: { amount: outstanding, currency: 'CNY' } }],
        });
      await processed(await balanceV(40, '10.00', 3n));
      await processed(await balanceV(30, '20.00', 4n));
      expect((await pinRow(c))?.cny).toBe('2000');
      await processed(await balanceV(50, '30.00', 2n));
      expect((await pinRow(c))?.cny).toBe('2000');
    });

    it('places the pin at the address of the later customer version, and counts its own verdicts', async () => {
      const c = randomUUID();
      const upsertedV = (minutes: number, name: string, city: string, customerVersion: bigint) =>
        publish(Topic.CustomerUpserted, {
          customerId: c,
          occurredAt: at(minutes),
          customerVersion,
          sources: [{ sourceSystem: 'spec', externalId: c }],
          name,
          address: { countryCode: 'DE', city },
          timeZone: 'Europe/Berlin',
        });
      await processed(await upsertedV(40, 'Old name', 'Berlin', 3n));
      // Moved and renamed on an instance whose clock is behind.
      await processed(await upsertedV(30, 'New name', 'Hamburg', 4n));
      const moved = await pinOf(c);
      expect(moved?.properties).toMatchObject({ name: 'New name' });
      expect(moved?.geometry.coordinates[1]).toBeCloseTo(53.55, 1);
      // The address of version 2, stamped by a clock ahead, delivered late: nothing moves.
      await processed(
        await publish(Topic.AddressChanged, {
          customerId: c,
          occurredAt: at(50),
          customerVersion: 2n,
          address: { countryCode: 'DE', city: 'München' },
        }),
      );
      expect((await pinOf(c))?.geometry.coordinates[1]).toBeCloseTo(53.55, 1);
      // Two verdicts (Berlin, Hamburg): customer-geocoded carries this number (unit-tested).
      const geocode = await service.sql.query<{ v: string }>(
        `SELECT geocode_version::text AS v FROM customer_pins WHERE customer_id = $1`,
        [c],
      );
      expect(geocode.rows[0]?.v).toBe('2');
      await service.sql.query(`DELETE FROM customer_pins WHERE customer_id = $1`, [c]);
    });
  });

  describe('tier, credit grade, days overdue, filters, cluster sums and roll-up levels (Kunming)', () => {
    const kunming = '102,24,104,26';
    const [vip, west, late] = [randomUUID(), randomUUID(), randomUUID()];
    const daysAgo = (days: number) => timestampFromDate(new Date(Date.now() - days * 86_400_000));
    const money = (currency: string, outstanding: string, overdue: string) => ({
      currency,
      outstanding: { amount: outstanding, currency },
      overdue: { amount: overdue, currency },
      unappliedCredit: { amount: '0', currency },
    });

    beforeAll(async () => {
      const customers = [
        { id: vip, tier: CustomerTier.VIP, territory: 'yunnan-east' },
        { id: west, tier: CustomerTier.STANDARD, territory: 'yunnan-west' },
        { id: late, tier: CustomerTier.UNSPECIFIED, territory: 'yunnan-west' },
      ];
      for (const c of customers) {
        await publish(Topic.CustomerUpserted, {
          customerId: c.id,
          occurredAt: at(0),
          created: true,
          sources: [{ sourceSystem: 'spec', externalId: c.id }],
          name: `Kunming ${c.id.slice(0, 8)}`,
          address: { countryCode: 'CN', region: '云南省', city: '昆明市' },
          timeZone: 'Asia/Shanghai',
          tier: c.tier,
          salesTerritory: c.territory,
        });
      }
      await publish(Topic.StatusChanged, {
        customerId: vip,
        occurredAt: daysAgo(40),
        status: ArStatus.OVERDUE,
      });
      await publish(Topic.StatusChanged, { customerId: west, occurredAt: at(1), status: ArStatus.UNPAID });
      await publish(Topic.StatusChanged, {
        customerId: late,
        occurredAt: daysAgo(2),
        status: ArStatus.OVERDUE,
      });
      await publish(Topic.BalanceChanged, {
        customerId: vip,
        occurredAt: at(2),
        balances: [money('CNY', '1000.00', '500.00'), money('USD', '10.00', '10.00')],
      });
      await publish(Topic.BalanceChanged, {
        customerId: west,
        occurredAt: at(2),
        balances: [money('CNY', '200.00', '0.00')],
      });
      await publish(Topic.BalanceChanged, {
        customerId: late,
        occurredAt: at(2),
        balances: [money('CNY', '300.00', '300.00')],
      });
      await processed(
        await publish(Topic.CreditRatingChanged, {
          customerId: vip,
          occurredAt: at(3),
          rating: 'B',
          previousRating: 'A',
          reason: 'spec',
        }),
      );
      await waitFor('three pins in Kunming with their statuses and balances', async () => {
        const { body } = await get<FeatureCollection>(`/api/v1/map/customers?bbox=${kunming}`);
        const ready = body.features.filter(
          (f) => f.properties.status !== 'paid' && (f.properties.balances as unknown[]).length > 0,
        );
        return ready.length === 3 ? true : undefined;
      });
      await drained();
    });

    const idsOf = async (query: string): Promise<string[]> => {
      const { status: code, body } = await get<FeatureCollection>(
        `/api/v1/map/customers?bbox=${kunming}&${query}`,
      );
      expect(code).toBe(200);
      return body.features.map((f) => f.properties.customerId ?? '').sort();
    };

    it('puts tier, credit grade and days overdue on the pin', async () => {
      expect((await pinOf(vip, `?bbox=${kunming}`))?.properties).toMatchObject({
        tier: 'vip',
        creditGrade: 'B',
        status: 'overdue',
        daysOverdue: 40,
      });
      expect((await pinOf(west, `?bbox=${kunming}`))?.properties).toMatchObject({
        tier: 'standard',
        creditGrade: null,
        daysOverdue: 0,
      });
      expect((await pinOf(late, `?bbox=${kunming}`))?.properties).toMatchObject({
        tier: 'standard',
        daysOverdue: 2,
      });
    });

    it('filters by tier, days overdue and sales territory', async () => {
      expect(await idsOf('tier=vip')).toEqual([vip]);
      expect(await idsOf('minOverdue=30')).toEqual([vip]);
      expect(await idsOf('minOverdue=0')).toEqual([vip, late].sort());
      expect(await idsOf('territory=yunnan-west')).toEqual([west, late].sort());
      expect(await idsOf('territory=yunnan-west&status=overdue')).toEqual([late]);
      expect(await idsOf('territory=nowhere')).toEqual([]);
    });

    it.each([
      ['from the grid', ''],
      ['from the pins (a days-overdue filter)', '&minOverdue=0&status=overdue,unpaid,paid'],
    ])('clusters with counts by status and sums per currency, %s', async (_how, extra) => {
      const { body } = await get<FeatureCollection>(`/api/v1/map/customers?bbox=${kunming}&zoom=6${extra}`);
      const clusters = body.features.filter((f) => f.properties.cluster === true);
      expect(clusters).toHaveLength(1);
      if (extra === '') {
        expect(clusters[0]?.properties).toMatchObject({
          point_count: 3,
          counts: { paid: 0, unpaid: 1, overdue: 2 },
          status: 'overdue',
          outstanding: [
            { amount: '1500.00', currency: 'CNY' },
            { amount: '10.00', currency: 'USD' },
          ],
          overdue: [
            { amount: '800.00', currency: 'CNY' },
            { amount: '10.00', currency: 'USD' },
          ],
        });
      } else {
        expect(clusters[0]?.properties).toMatchObject({
          point_count: 2,
          counts: { paid: 0, unpaid: 0, overdue: 2 },
          outstanding: [
            { amount: '1300.00', currency: 'CNY' },
            { amount: '10.00', currency: 'USD' },
          ],
        });
      }
    });

    it('keeps the grid up to date as a pin changes status, and shows a lone customer as its pin', async () => {
      await processed(
        await publish(Topic.StatusChanged, { customerId: west, occurredAt: at(30), status: ArStatus.PAID }),
      );
      await drained();
      const { body } = await get<FeatureCollection>(`/api/v1/map/customers?bbox=${kunming}&zoom=6`);
      expect(body.features[0]?.properties).toMatchObject({ counts: { paid: 1, unpaid: 0, overdue: 2 } });
      const vipOnly = await get<FeatureCollection>(`/api/v1/map/customers?bbox=${kunming}&zoom=6&tier=vip`);
      expect(vipOnly.body.features.map((f) => f.properties)).toEqual([
        expect.objectContaining({ customerId: vip, tier: 'vip' }),
      ]);
    });

    it('rolls up per city and per district', async () => {
      for (const level of ['city', 'district']) {
        const { status: code, body } = await get<{
          level: string;
          regions: { key: string; regionCode: string; city: string; count: number; outstanding: unknown[] }[];
        }>(`/api/v1/map/regions?level=${level}&country=CN`);
        expect(code).toBe(200);
        expect(body.level).toBe(level);
        const yunnan = body.regions.filter((r) => r.regionCode === '29');
        expect(yunnan).toHaveLength(1);
        expect(yunnan[0]).toMatchObject({
          count: 3,
          outstanding: [
            { amount: '1500.00', currency: 'CNY' },
            { amount: '10.00', currency: 'USD' },
          ],
        });
        expect(yunnan[0]?.key).toBe(
          level === 'city' ? `CN-29/${yunnan[0]?.city}` : `CN-29/${yunnan[0]?.city}/?`,
        );
      }
    });

    it('serves country and China province polygons keyed like the roll-ups', async () => {
      type Polygons = {
        level: string;
        features: { id: string; properties: { key: string }; geometry: { type: string } }[];
      };
      const world = await get<Polygons>('/api/v1/map/boundaries');
      expect(world.status).toBe(200);
      expect(world.body.level).toBe('country');
      expect(world.body.features.length).toBeGreaterThan(150);
      expect(world.body.features.map((f) => f.properties.key)).toEqual(
        expect.arrayContaining(['CN', 'DE', 'US']),
      );
      const china = await get<Polygons>('/api/v1/map/boundaries?level=province&region=CN');
      expect(china.body.features).toHaveLength(34);
      expect(china.body.features.find((f) => f.id === 'CN-29')?.geometry.type).toBe('MultiPolygon');
      const cities = await get<Polygons>('/api/v1/map/boundaries?level=city&region=CN');
      expect(cities.body.level).toBe('city');
      expect(cities.body.features.map((f) => f.properties.key)).toEqual(
        expect.arrayContaining(['CN-30/Shenzhen', 'CN-22/Beijing']),
      );
    });

    it.each([
      ['customers?tier=gold', 'tier'],
      ['customers?minOverdue=-1', 'minOverdue'],
      ['customers?minOverdue=abc', 'minOverdue'],
      [`customers?territory=${'x'.repeat(101)}`, 'territory'],
      ['customers?bbox=0,0,10,95', 'bbox'],
      ['customers?zoom=-1', 'zoom'],
      ['regions?level=street', 'level'],
      ['boundaries?level=district', 'level'],
      ['boundaries?level=city&region=US', 'region'],
      ['boundaries?level=province&region=US', 'region'],
    ])('GET /api/v1/map/%s is a 400 naming %s', async (query, field) => {
      const { status: code, body } = await get<ErrorBody>(`/api/v1/map/${query}`);
      expect(code).toBe(400);
      expect(body.error.details.map((d) => d.field)).toContain(field);
    });
  });
});
