import { createTestDatabase, migrate, type TestDatabase } from '@duemap/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { GeocodingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { GridDrainer } from '../src/map/grid-maintenance/grid-drainer';
import {
  GridMaintenanceRepository,
  MAP_GRID_LOCK_NAMESPACE,
} from '../src/map/grid-maintenance/grid-maintenance.repository';
import { PinRepository, type RollupLevel } from '../src/map/pin.repository';

type GridTables = Record<
  'grid' | 'gridSums' | 'rollup' | 'rollupSums' | 'applied' | 'appliedSums',
  unknown[]
>;

/**
 * The grid drainer against a real, migrated geocoding database: what writers mark is applied,
 * concurrent writers and drainers converge to exactly what map_grid_rebuild() computes from the
 * tables, and two drainers never apply a change twice.
 */
describe('map grid drainer (map_grid_dirty -> map_grid, map_rollup)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sql: Client;
  let grid: GridMaintenanceRepository;

  const drainerWith = (batch: number): GridDrainer =>
    new GridDrainer({ MAP_GRID_DRAIN_INTERVAL: 0, MAP_GRID_DRAIN_BATCH: batch } as GeocodingConfig, grid);

  beforeAll(async () => {
    db = await createTestDatabase('geocoding_grid');
    await migrate(dataSourceOptions(db.url));
    ds = new DataSource({ ...dataSourceOptions(db.url), poolSize: 8 });
    await ds.initialize();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    grid = new GridMaintenanceRepository(ds);
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await sql.query(`TRUNCATE customer_pins CASCADE`);
    await sql.query(`TRUNCATE map_grid_dirty`);
    await sql.query(`SELECT map_grid_rebuild()`);
  });

  // Places around three cities so that writers share cells at every zoom.
  const CITIES = [
    { lat: 31.23, lng: 121.47, cc: 'CN', region: '23', regionName: '上海市', city: '上海市' },
    { lat: 22.54, lng: 114.06, cc: 'CN', region: '30', regionName: '广东省', city: '深圳市' },
    { lat: 52.52, lng: 13.4, cc: 'DE', region: '16', regionName: 'Berlin', city: 'Berlin' },
  ];
  const STATUSES = ['paid', 'unpaid', 'overdue'];

  async function upsertPin(
    c: Pick<Client, 'query'>,
    id: string,
    at: { lat: number; lng: number } | null,
    status = 'unpaid',
    city = CITIES[0],
  ): Promise<void> {
    await c.query(
      `INSERT INTO customer_pins (customer_id, name, latitude, longitude, geocode_precision, status, tier,
                                  country_code, region_code, region_name, city, district_code, district_name)
       VALUES ($1, $1, $2, $3, CASE WHEN $2::float8 IS NULL THEN NULL ELSE 'city' END, $4, 'standard',
               $5, $6, $7, $8, $9, $10)
       ON CONFLICT (customer_id) DO UPDATE SET latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
         geocode_precision = EXCLUDED.geocode_precision,
         status = EXCLUDED.status, country_code = EXCLUDED.country_code, region_code = EXCLUDED.region_code,
         region_name = EXCLUDED.region_name, city = EXCLUDED.city, district_code = EXCLUDED.district_code,
         district_name = EXCLUDED.district_name`,
      [
        id,
        at?.lat ?? null,
        at?.lng ?? null,
        status,
        city?.cc,
        city?.region,
        city?.regionName,
        city?.city,
        city?.cc === 'CN' ? `${city.region}0101` : null,
        city?.cc === 'CN' ? `${city.city}区` : null,
      ],
    );
  }

  async function setBalances(
    c: Pick<Client, 'query'>,
    id: string,
    balances: { currency: string; outstanding: number; overdue: number }[],
  ): Promise<void> {
    await c.query(`DELETE FROM customer_pin_balances WHERE customer_id = $1 AND NOT (currency = ANY($2))`, [
      id,
      balances.map((b) => b.currency),
    ]);
    for (const b of balances) {
      await c.query(
        `INSERT INTO customer_pin_balances (customer_id, currency, outstanding_minor, overdue_minor)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (customer_id, currency) DO UPDATE
           SET outstanding_minor = EXCLUDED.outstanding_minor, overdue_minor = EXCLUDED.overdue_minor`,
        [id, b.currency, b.outstanding, b.overdue],
      );
    }
  }

  /** Every maintained table, in key order, positions rounded (sums of +x and -x leave 1e-12s). */
  async function gridTables(): Promise<GridTables> {
    const round = (column: string): string => `round(${column}::numeric, 6)::text AS ${column}`;
    const read = async (query: string): Promise<unknown[]> =>
      (await sql.query<Record<string, unknown>>(query)).rows;
    return {
      grid: await read(
        `SELECT zoom, cx, cy, status, tier, n::text, ${round('sum_lat')}, ${round('sum_lng')}, sum_pin_no::text
         FROM map_grid WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5`,
      ),
      gridSums: await read(
        `SELECT zoom, cx, cy, status, tier, currency, outstanding_minor::text, overdue_minor::text
         FROM map_grid_sums WHERE outstanding_minor <> 0 OR overdue_minor <> 0 ORDER BY 1, 2, 3, 4, 5, 6`,
      ),
      rollup: await read(
        `SELECT country_code, region_code, region_name, city, district_code, district_name, status, tier,
                n::text, ${round('sum_lat')}, ${round('sum_lng')}
         FROM map_rollup WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`,
      ),
      rollupSums: await read(
        `SELECT country_code, region_code, region_name, city, district_code, district_name, status, tier,
                currency, n::text, outstanding_minor::text, overdue_minor::text
         FROM map_rollup_sums WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
      ),
      applied: await read(`SELECT * FROM map_grid_applied ORDER BY customer_id`),
      appliedSums: await read(`SELECT * FROM map_grid_applied_sums ORDER BY customer_id, currency`),
    };
  }

  /** The tables as drained, and as map_grid_rebuild() computes them from the pins. */
  async function drainedAndRebuilt(): Promise<[GridTables, GridTables]> {
    const drained = await gridTables();
    await sql.query(`SELECT map_grid_rebuild()`);
    return [drained, await gridTables()];
  }

  const dirty = async (): Promise<string[]> =>
    (await sql.query<{ customer_id: string }>(`SELECT customer_id FROM map_grid_dirty ORDER BY 1`)).rows.map(
      (r) => r.customer_id,
    );

  const cellAt16 = async (lat: number, lng: number) =>
    (
      await sql.query<{ n: string; status: string; sum_pin_no: string }>(
        `SELECT n::text, status, sum_pin_no::text FROM map_grid
         WHERE zoom = 16 AND cx = map_cell_x($2, 18) AND cy = map_cell_y($1, 18) AND n <> 0`,
        [lat, lng],
      )
    ).rows;

  const pinNo = async (id: string): Promise<string> =>
    (
      await sql.query<{ pin_no: string }>(`SELECT pin_no::text FROM customer_pins WHERE customer_id = $1`, [
        id,
      ])
    ).rows[0]?.pin_no ?? '';

  it('marks only what the grid counts, and applies a pin moved, recoloured, deleted and balances changed', async () => {
    await upsertPin(sql, 'a', { lat: 31.2, lng: 121.4 });
    await upsertPin(sql, 'b', { lat: 31.3, lng: 121.5 }, 'overdue');
    await upsertPin(sql, 'c', { lat: 22.5, lng: 114.0 }, 'paid', CITIES[1]);
    await upsertPin(sql, 'unlocated', null);
    await setBalances(sql, 'a', [{ currency: 'CNY', outstanding: 1000, overdue: 0 }]);
    expect(await dirty()).toEqual(['a', 'b', 'c']);
    // Nothing is counted until a drain: the writers did not touch the grid.
    expect((await gridTables()).grid).toEqual([]);
    const drainer = drainerWith(1000);
    expect(await drainer.drain()).toBe(3);
    expect(await dirty()).toEqual([]);
    expect(await cellAt16(31.2, 121.4)).toEqual([{ n: '1', status: 'unpaid', sum_pin_no: await pinNo('a') }]);

    // A name change is not counted: no mark.
    await sql.query(`UPDATE customer_pins SET name = 'renamed', balance_version = 7 WHERE customer_id = 'a'`);
    expect(await dirty()).toEqual([]);

    await upsertPin(sql, 'a', { lat: 31.25, lng: 121.45 }); // moved
    await sql.query(`UPDATE customer_pins SET status = 'paid' WHERE customer_id = 'b'`); // recoloured
    await sql.query(`DELETE FROM customer_pins WHERE customer_id = 'c'`); // deleted
    await setBalances(sql, 'a', [{ currency: 'USD', outstanding: 50, overdue: 20 }]); // CNY dropped, USD added
    await setBalances(sql, 'b', [{ currency: 'CNY', outstanding: 700, overdue: 700 }]);
    expect(await dirty()).toEqual(['a', 'b', 'c']);
    await drainer.drain();

    expect(await cellAt16(31.2, 121.4)).toEqual([]);
    expect(await cellAt16(31.25, 121.45)).toEqual([
      { n: '1', status: 'unpaid', sum_pin_no: await pinNo('a') },
    ]);
    expect(await cellAt16(31.3, 121.5)).toEqual([{ n: '1', status: 'paid', sum_pin_no: await pinNo('b') }]);
    expect(await cellAt16(22.5, 114.0)).toEqual([]);
    const world = await sql.query(
      `SELECT status, n::text FROM map_grid WHERE zoom = 0 AND n <> 0 ORDER BY status`,
    );
    expect(world.rows).toEqual([
      { status: 'paid', n: '1' },
      { status: 'unpaid', n: '1' },
    ]);
    const sums = await sql.query(
      `SELECT status, currency, outstanding_minor::text AS o, overdue_minor::text AS d
       FROM map_grid_sums WHERE zoom = 0 ORDER BY status, currency`,
    );
    expect(sums.rows).toEqual([
      { status: 'paid', currency: 'CNY', o: '700', d: '700' },
      { status: 'unpaid', currency: 'USD', o: '50', d: '20' },
    ]);
    // Rows brought to zero are gone, not kept as zeros.
    const zeros = await sql.query(
      `SELECT (SELECT count(*) FROM map_grid WHERE n = 0)::int AS g,
              (SELECT count(*) FROM map_grid_sums WHERE outstanding_minor = 0 AND overdue_minor = 0)::int AS s,
              (SELECT count(*) FROM map_rollup WHERE n = 0)::int AS r,
              (SELECT count(*) FROM map_rollup_sums WHERE n = 0)::int AS rs`,
    );
    expect(zeros.rows[0]).toEqual({ g: 0, s: 0, r: 0, rs: 0 });
    const [drained, rebuilt] = await drainedAndRebuilt();
    expect(drained).toEqual(rebuilt);
  });

  it("does not take the mark of a writer that has not committed, and applies the writer's change after", async () => {
    await upsertPin(sql, 'w', { lat: 31.2, lng: 121.4 }, 'unpaid');
    const writer = new Client({ connectionString: db.url });
    await writer.connect();
    try {
      // The mark of the insert waits; the writer's update finds it and holds it.
      await writer.query('BEGIN');
      await writer.query(`UPDATE customer_pins SET status = 'overdue' WHERE customer_id = 'w'`);
      const during = await grid.drainBatch(100);
      expect(during).toEqual({ locked: true, claimed: 0, oldestSeconds: 0 });
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    await drainerWith(100).drain();
    expect(await cellAt16(31.2, 121.4)).toEqual([
      { n: '1', status: 'overdue', sum_pin_no: await pinNo('w') },
    ]);
  });

  it('lets one drainer at a time apply: another holding the lock makes a batch skip its turn', async () => {
    await upsertPin(sql, 'x', { lat: 31.2, lng: 121.4 });
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, 0)', [MAP_GRID_LOCK_NAMESPACE]);
      expect(await grid.drainBatch(100)).toEqual({ locked: false });
      expect(await dirty()).toEqual(['x']);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    expect(await grid.drainBatch(100)).toMatchObject({ locked: true, claimed: 1 });
  });

  it('two drainers draining one backlog at once apply each change once', async () => {
    const ids = Array.from({ length: 600 }, (_, i) => `d-${i}`);
    for (const [i, id] of ids.entries()) {
      const city = CITIES[i % CITIES.length] ?? CITIES[0];
      await upsertPin(
        sql,
        id,
        { lat: (city?.lat ?? 0) + (i % 7) * 0.01, lng: (city?.lng ?? 0) + (i % 5) * 0.01 },
        STATUSES[i % 3],
        city,
      );
      if (i % 2 === 0) await setBalances(sql, id, [{ currency: 'CNY', outstanding: 100 + i, overdue: i }]);
    }
    const [one, two] = [drainerWith(25), drainerWith(25)];
    const applied = await Promise.all([one.drain(), two.drain()]);
    expect(applied[0] + applied[1]).toBe(600);
    expect(await dirty()).toEqual([]);
    const [drained, rebuilt] = await drainedAndRebuilt();
    expect(drained.grid.length).toBeGreaterThan(0);
    expect(drained).toEqual(rebuilt);
  }, 120_000);

  it('concurrent writers and drainers converge to exactly what map_grid_rebuild() computes', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `r-${i}`);
    const random = (n: number): number => Math.floor(Math.random() * n);
    const pick = <T>(values: readonly T[]): T => values[random(values.length)] as T;
    let writing = true;

    async function writer(rounds: number): Promise<void> {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      try {
        for (let r = 0; r < rounds; r += 1) {
          try {
            await c.query('BEGIN');
            const id = pick(ids);
            const op = random(6);
            const city = pick(CITIES);
            const near = { lat: city.lat + Math.random() * 0.05, lng: city.lng + Math.random() * 0.05 };
            if (op === 0) await upsertPin(c, id, near, pick(STATUSES), city);
            else if (op === 1) {
              // Several customers in one statement, as a batch of status events is applied.
              await c.query(`UPDATE customer_pins SET status = $2 WHERE customer_id = ANY($1)`, [
                [pick(ids), pick(ids), pick(ids)],
                pick(STATUSES),
              ]);
            } else if (op === 2) await upsertPin(c, id, null, pick(STATUSES), city);
            else if (op === 3) await c.query(`DELETE FROM customer_pins WHERE customer_id = $1`, [id]);
            else {
              await upsertPin(c, id, near, pick(STATUSES), city);
              await setBalances(
                c,
                id,
                pick([['CNY'], ['USD'], ['CNY', 'USD'], []]).map((currency) => ({
                  currency,
                  outstanding: random(100_000),
                  overdue: random(1000),
                })),
              );
            }
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK');
            // Writers of the same pins in different orders may deadlock, as consumers may: retried there.
            if ((err as { code?: string }).code !== '40P01') throw err;
          }
        }
      } finally {
        await c.end();
      }
    }

    async function drainerLoop(drainer: GridDrainer): Promise<number> {
      let rounds = 0;
      while (writing) {
        await drainer.drain();
        rounds += 1;
      }
      return rounds;
    }

    const drainers = [drainerWith(7), drainerWith(13)];
    const loops = drainers.map((d) => drainerLoop(d));
    await Promise.all([writer(150), writer(150), writer(150), writer(150)]);
    writing = false;
    const rounds = await Promise.all(loops);
    expect(rounds.every((r) => r > 0)).toBe(true);
    await drainers[0]?.drain();
    expect(await dirty()).toEqual([]);
    const [drained, rebuilt] = await drainedAndRebuilt();
    expect(drained.applied.length).toBeGreaterThan(0);
    expect(drained).toEqual(rebuilt);

    // The pre-aggregated roll-ups answer what scanning the pins answers.
    const pins = new PinRepository(ds);
    for (const level of ['country', 'province', 'city', 'district'] as RollupLevel[]) {
      const byKey = <
        T extends {
          countryCode: string;
          regionCode: string | null;
          city: string | null;
          districtCode: string | null;
        },
      >(
        rows: T[],
      ): T[] =>
        [...rows].sort((a, b) =>
          JSON.stringify([a.countryCode, a.regionCode, a.city, a.districtCode]).localeCompare(
            JSON.stringify([b.countryCode, b.regionCode, b.city, b.districtCode]),
          ),
        );
      const fromPins = byKey(await pins.rollupCounts(level, {}));
      const aggregated = byKey(await pins.aggregatedRollupCounts(level, {}));
      expect(
        aggregated.map(({ lat, lng, ...rest }) => ({ ...rest, lat: lat.toFixed(6), lng: lng.toFixed(6) })),
      ).toEqual(
        fromPins.map(({ lat, lng, ...rest }) => ({ ...rest, lat: lat.toFixed(6), lng: lng.toFixed(6) })),
      );
      const sumsKey = (r: { currency: string }) => r.currency;
      expect(
        byKey(await pins.aggregatedRollupSums(level, {})).sort((a, b) =>
          sumsKey(a).localeCompare(sumsKey(b)),
        ),
      ).toEqual(byKey(await pins.rollupSums(level, {})).sort((a, b) => sumsKey(a).localeCompare(sumsKey(b))));
    }
  }, 180_000);
});
