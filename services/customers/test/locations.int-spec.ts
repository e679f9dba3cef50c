import { GeocodeFailureReason, GeocodePrecision, Topic } from '@duemap/events';
import { createTestDatabase, waitFor, type TestDatabase } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, type MigrationInterface } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { startCustomers, shenzhen, type ApiBody, type CustomersHarness } from './customers-harness';

/**
 * geocoding's verdicts through the consumer to the customer JSON: the location state, and for a
 * customer geocoding could not place, why — so that an AR clerk can work through the list
 * (?location=not_located) and fix the addresses.
 */
describe('customers: where geocoding placed a customer, or why it could not', () => {
  let h: CustomersHarness;
  const erp = `erp-${randomUUID().slice(0, 8)}`;
  /** In every name here, so a search finds this spec's customers only. */
  const tag = `loc${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    h = await startCustomers('customers_locations');
  });

  afterAll(async () => {
    await h?.close();
  });

  const viewOf = async (id: string) => (await h.get(`/api/v1/customers/${id}`)).body;
  const until = (id: string, what: string, check: (c: ApiBody) => boolean) =>
    waitFor(what, async () => {
      const c = await viewOf(id);
      return check(c) ? c : undefined;
    });
  const create = async (externalId: string, body: { name: string; address: unknown }): Promise<string> => {
    const res = await h.put(`/api/v1/customers/${erp}/${externalId}`, {
      ...body,
      name: `${tag} ${body.name}`,
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const listed = async (query: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await h.get(`/api/v1/customers?q=${tag}&limit=2&${query}${cursor}`);
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((c) => c.id));
      if (res.body.nextCursor === null) return ids;
      cursor = `&cursor=${res.body.nextCursor}`;
    }
  };

  it('is pending until a verdict, located with the precision (street too), not located with the reason', async () => {
    const placed = await create('LOC-1', { name: 'Placed Co', address: shenzhen });
    const ambiguous = await create('LOC-2', {
      name: 'Ambiguous Co',
      address: { country: 'CN', district: '朝阳区' },
    });
    const garbage = await create('LOC-3', { name: 'Garbage Co', address: { country: 'CN', city: 'asdfgh' } });
    const waiting = await create('LOC-4', { name: 'Waiting Co', address: shenzhen });
    expect((await viewOf(waiting)).location).toEqual({
      state: 'pending',
      lat: null,
      lng: null,
      precision: null,
      source: null,
      confidence: null,
      reason: null,
      detail: null,
      willRetry: null,
      candidates: [],
      geocodedAt: null,
    });

    const at = new Date();
    await h.publish(
      Topic.CustomerGeocoded,
      {
        customerId: placed,
        latitude: 22.5405,
        longitude: 113.9344,
        precision: GeocodePrecision.STREET,
        source: 'nominatim',
        geocodeVersion: 1n,
      },
      { occurredAt: at },
    );
    await h.publish(Topic.GeocodeFailed, {
      customerId: ambiguous,
      reason: GeocodeFailureReason.AMBIGUOUS,
      detail: 'the address may mean any of: 北京市朝阳区, 长春市朝阳区',
      willRetry: false,
      candidates: [
        { label: '北京市朝阳区', code: '110105' },
        { label: '长春市朝阳区', code: '220104' },
      ],
      confidence: 0.5,
      geocodeVersion: 1n,
    });
    await h.publish(Topic.GeocodeFailed, {
      customerId: garbage,
      reason: GeocodeFailureReason.NO_MATCH,
      detail: 'no place named asdfgh',
      geocodeVersion: 1n,
    });

    const p = await until(placed, 'located', (c) => c.location.state === 'located');
    expect(p.location).toEqual({
      state: 'located',
      lat: 22.5405,
      lng: 113.9344,
      precision: 'street',
      source: 'nominatim',
      confidence: null,
      reason: null,
      detail: null,
      willRetry: null,
      candidates: [],
      geocodedAt: at.toISOString(),
    });
    const a = await until(ambiguous, 'not located', (c) => c.location.state === 'not_located');
    expect(a.location).toEqual({
      state: 'not_located',
      lat: null,
      lng: null,
      precision: null,
      source: null,
      confidence: 0.5,
      reason: 'ambiguous',
      detail: 'the address may mean any of: 北京市朝阳区, 长春市朝阳区',
      willRetry: false,
      candidates: [
        { label: '北京市朝阳区', code: '110105', precision: 'district' },
        { label: '长春市朝阳区', code: '220104', precision: 'district' },
      ],
      geocodedAt: expect.any(String),
    });
    const g = await until(garbage, 'not located', (c) => c.location.state === 'not_located');
    expect(g.location).toMatchObject({ reason: 'no_match', detail: 'no place named asdfgh', candidates: [] });
    expect(g.location.confidence).toBeNull();

    // The clerk's worklist, page by page; the filters combine.
    expect((await listed('location=not_located')).sort()).toEqual([ambiguous, garbage].sort());
    expect(await listed('location=located')).toEqual([placed]);
    expect(await listed('location=pending')).toEqual([waiting]);
    expect((await listed('location=pending,located')).sort()).toEqual([placed, waiting].sort());
    expect(await listed('location=NOT_LOCATED&status=overdue')).toEqual([]);
    expect((await listed('location=')).length).toBe(4);
  });

  it('refuses an unknown location state with 400 naming location', async () => {
    for (const bad of ['nowhere', 'located,lost', 'a,b,c,d']) {
      const res = await h.get(`/api/v1/customers?location=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'location' })]),
      );
    }
  });

  it('an address change makes it pending until the next verdict; an older verdict is ignored', async () => {
    const id = await create('LOC-5', { name: 'Moving Co', address: { country: 'CN', city: 'asdfgh' } });
    await h.publish(Topic.GeocodeFailed, {
      customerId: id,
      reason: GeocodeFailureReason.NO_MATCH,
      detail: 'nothing',
      geocodeVersion: 1n,
    });
    await until(id, 'not located', (c) => c.location.state === 'not_located');

    const moved = await h.put(`/api/v1/customers/${erp}/LOC-5`, {
      name: `${tag} Moving Co`,
      address: shenzhen,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.location).toMatchObject({
      state: 'pending',
      reason: null,
      detail: null,
      geocodedAt: null,
    });
    await h.publish(Topic.CustomerGeocoded, {
      customerId: id,
      latitude: 22.54,
      longitude: 113.93,
      precision: GeocodePrecision.DISTRICT,
      source: 'china-districts',
      geocodeVersion: 2n,
    });
    const c = await until(id, 'located at the new address', (v) => v.location.state === 'located');
    expect(c.location).toMatchObject({ lat: 22.54, precision: 'district', reason: null, candidates: [] });
    const older = await h.publish(Topic.GeocodeFailed, {
      customerId: id,
      reason: GeocodeFailureReason.NO_MATCH,
      geocodeVersion: 1n,
    });
    await h.handled(older);
    expect((await viewOf(id)).location.state).toBe('located');
  });
});

describe('migration 1797800000000 (location verdicts) on existing rows', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('customers_location_backfill');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('gives rows with a verdict their state (located or not_located) and the others pending', async () => {
    const all = dataSourceOptions(db.url).migrations as (new () => MigrationInterface)[];
    // Every migration before this one (later ones may follow it in the list).
    const at = all.findIndex((m) => m.name === 'LocationVerdicts1797800000000');
    let ds = new DataSource({ ...dataSourceOptions(db.url), migrations: all.slice(0, at) });
    await ds.initialize();
    try {
      await ds.runMigrations({ transaction: 'each' });
      const row = (id: string, lat: number | null, at: Date | null) =>
        ds.query(
          `INSERT INTO customers (id, name, tier, time_zone, time_zone_derived, currency, locale,
                                  latitude, longitude, location_precision, location_occurred_at)
           VALUES ($1, $2, 'standard', 'Asia/Shanghai', true, 'CNY', 'zh-CN', $3, $3, $4, $5)`,
          [id, `name ${id}`, lat, lat === null ? null : 'city', at],
        );
      const [located, failed, fresh] = [randomUUID(), randomUUID(), randomUUID()];
      await row(located, 30, new Date());
      await row(failed, null, new Date());
      await row(fresh, null, null);
      await ds.destroy();
      // Up to this migration only, so that undoing the last one undoes it.
      ds = new DataSource({ ...dataSourceOptions(db.url), migrations: all.slice(0, at + 1) });
      await ds.initialize();
      await ds.runMigrations({ transaction: 'each' });
      const states = await ds.query<{ id: string; location_state: string; location_candidates: unknown }[]>(
        `SELECT id, location_state, location_candidates FROM customers`,
      );
      expect(
        Object.fromEntries(states.map((s) => [s.id, [s.location_state, s.location_candidates]])),
      ).toEqual({
        [located]: ['located', []],
        [failed]: ['not_located', []],
        [fresh]: ['pending', []],
      });
      await ds.undoLastMigration({ transaction: 'each' });
      const columns = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM information_schema.columns
          WHERE table_name = 'customers' AND column_name LIKE 'location_%'`,
      );
      // location_precision, _source, _occurred_at and _version, as before.
      expect(columns[0]?.n).toBe(4);
    } finally {
      if (ds.isInitialized) await ds.destroy();
    }
  });
});
