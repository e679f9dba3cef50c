import type { MigrationInterface, QueryRunner } from 'typeorm';

// As first shipped; 1797300000000-map-grid-high-zoom takes the grid to zoom 16.
const GRID_MAX_ZOOM = 12;
const GRID_CELL_SHIFT = 2;

/**
 * Adds the pin's attributes the map filters on and shows (tier and credit grade, with the
 * customer version of their events), a GiST index on its point for viewport queries, and the
 * customer's district (GB/T 2260 code and name, written by the geocoder when it resolves one) for
 * district roll-ups, a GiST index on its point for viewport queries, and the
 * grid the map clusters from at zoom <= GRID_MAX_ZOOM without reading every pin: per zoom, per
 * 64 px cell, per status and tier, the number of located pins and their summed position
 * (map_grid) and their outstanding / overdue sums per currency (map_grid_sums). Statement-level
 * triggers on customer_pins and customer_pin_balances keep both up to date in the writing
 * transaction (a pin's old contribution subtracted, its new one added), inserting in key order so
 * two writers lock shared cells in the same order. map_grid_rebuild() recomputes them from the
 * tables (this migration's backfill; the bench after a bulk load with triggers off).
 */
export class MapGrid1797200000000 implements MigrationInterface {
  name = 'MapGrid1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE customer_pins
        ADD COLUMN IF NOT EXISTS tier                text   NOT NULL DEFAULT 'standard',
        ADD COLUMN IF NOT EXISTS profile_version     bigint NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS profile_occurred_at timestamptz,
        ADD COLUMN IF NOT EXISTS credit_grade        text,
        ADD COLUMN IF NOT EXISTS rating_version      bigint NOT NULL DEFAULT 0,
        ADD COLUMN IF NOT EXISTS rating_occurred_at  timestamptz,
        ADD COLUMN IF NOT EXISTS district_code       text,
        ADD COLUMN IF NOT EXISTS district_name       text`);
    await q.query(`
      CREATE INDEX IF NOT EXISTS customer_pins_point_gist ON customer_pins
        USING gist (point(longitude, latitude)) WHERE latitude IS NOT NULL AND longitude IS NOT NULL`);
    // Mercator cell of a position at 2^k cells per side; latitudes beyond the projection's are clamped.
    await q.query(`
      CREATE OR REPLACE FUNCTION map_cell_x(lng double precision, k int) RETURNS int
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT least(floor((lng + 180) / 360 * (1::bigint << k)), (1::bigint << k) - 1)::int $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION map_cell_y(lat double precision, k int) RETURNS int
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT greatest(0, least(floor(
          (1 - ln(tan(pi() / 4 + greatest(-85.05112878, least(85.05112878, lat)) * pi() / 360)) / pi()) / 2
          * (1::bigint << k)), (1::bigint << k) - 1))::int $$`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS map_grid (
        zoom    smallint         NOT NULL,
        cx      int              NOT NULL,
        cy      int              NOT NULL,
        status  text             NOT NULL,
        tier    text             NOT NULL,
        n       bigint           NOT NULL,
        sum_lat double precision NOT NULL,
        sum_lng double precision NOT NULL,
        PRIMARY KEY (zoom, cx, cy, status, tier)
      )`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS map_grid_sums (
        zoom              smallint NOT NULL,
        cx                int      NOT NULL,
        cy                int      NOT NULL,
        status            text     NOT NULL,
        tier              text     NOT NULL,
        currency          text     NOT NULL,
        outstanding_minor bigint   NOT NULL,
        overdue_minor     bigint   NOT NULL,
        PRIMARY KEY (zoom, cx, cy, status, tier, currency)
      )`);
    await createGridFunctions(q, GRID_MAX_ZOOM);
    for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      const refs =
        op === 'INSERT'
          ? 'NEW TABLE AS new_rows'
          : op === 'DELETE'
            ? 'OLD TABLE AS old_rows'
            : 'OLD TABLE AS old_rows NEW TABLE AS new_rows';
      await q.query(`DROP TRIGGER IF EXISTS map_grid_pins_${op.toLowerCase()} ON customer_pins`);
      await q.query(`
        CREATE TRIGGER map_grid_pins_${op.toLowerCase()} AFTER ${op} ON customer_pins
        REFERENCING ${refs} FOR EACH STATEMENT EXECUTE FUNCTION map_grid_pins_${op.toLowerCase()}()`);
      await q.query(`DROP TRIGGER IF EXISTS map_grid_balances_${op.toLowerCase()} ON customer_pin_balances`);
      await q.query(`
        CREATE TRIGGER map_grid_balances_${op.toLowerCase()} AFTER ${op} ON customer_pin_balances
        REFERENCING ${refs} FOR EACH STATEMENT EXECUTE FUNCTION map_grid_balances_${op.toLowerCase()}()`);
    }
    await q.query(`SELECT map_grid_rebuild()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const op of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER IF EXISTS map_grid_pins_${op} ON customer_pins`);
      await q.query(`DROP TRIGGER IF EXISTS map_grid_balances_${op} ON customer_pin_balances`);
      await q.query(`DROP FUNCTION IF EXISTS map_grid_pins_${op}()`);
      await q.query(`DROP FUNCTION IF EXISTS map_grid_balances_${op}()`);
    }
    await q.query(`DROP FUNCTION IF EXISTS map_grid_rebuild()`);
    await q.query(`DROP TABLE IF EXISTS map_grid_sums`);
    await q.query(`DROP TABLE IF EXISTS map_grid`);
    await q.query(`DROP FUNCTION IF EXISTS map_cell_y(double precision, int)`);
    await q.query(`DROP FUNCTION IF EXISTS map_cell_x(double precision, int)`);
    await q.query(`DROP INDEX IF EXISTS customer_pins_point_gist`);
    await q.query(`
      ALTER TABLE customer_pins DROP COLUMN IF EXISTS tier, DROP COLUMN IF EXISTS profile_version,
        DROP COLUMN IF EXISTS profile_occurred_at, DROP COLUMN IF EXISTS credit_grade,
        DROP COLUMN IF EXISTS rating_version, DROP COLUMN IF EXISTS rating_occurred_at,
        DROP COLUMN IF EXISTS district_code, DROP COLUMN IF EXISTS district_name`);
  }
}

/**
 * (Re)creates the grid's trigger functions and map_grid_rebuild() for zoom levels 0..maxZoom; the
 * triggers call them by name, so a later migration changes the levels by calling this again and
 * rebuilding.
 */
export async function createGridFunctions(q: QueryRunner, maxZoom: number): Promise<void> {
  const pin = 'customer_id, latitude, longitude, status, tier';
  // An update that moves nothing (most of them: balance versions, names, geocode bookkeeping) adds nothing.
  const moved = `SELECT n.customer_id FROM new_rows n JOIN old_rows o USING (customer_id)
      WHERE (n.latitude, n.longitude, n.status, n.tier) IS DISTINCT FROM (o.latitude, o.longitude, o.status, o.tier)`;
  await q.query(pinTriggerFunction('insert', `SELECT ${pin}, 1 FROM new_rows`, maxZoom));
  await q.query(
    pinTriggerFunction(
      'update',
      `SELECT ${pin}, 1 FROM new_rows WHERE customer_id IN (${moved})
         UNION ALL SELECT ${pin}, -1 FROM old_rows WHERE customer_id IN (${moved})`,
      maxZoom,
    ),
  );
  await q.query(pinTriggerFunction('delete', `SELECT ${pin}, -1 FROM old_rows`, maxZoom));
  const balance = 'customer_id, currency, outstanding_minor, overdue_minor';
  await q.query(balanceTriggerFunction('insert', `SELECT ${balance}, 1 FROM new_rows`, maxZoom));
  await q.query(
    balanceTriggerFunction(
      'update',
      `SELECT ${balance}, 1 FROM new_rows UNION ALL SELECT ${balance}, -1 FROM old_rows`,
      maxZoom,
    ),
  );
  await q.query(balanceTriggerFunction('delete', `SELECT ${balance}, -1 FROM old_rows`, maxZoom));
  await q.query(`
      CREATE OR REPLACE FUNCTION map_grid_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE map_grid, map_grid_sums;
        ${applyDelta(`SELECT ${pin}, 1 FROM customer_pins`, maxZoom)};
      END $$`);
}

/**
 * One statement adding the pins of `source` (customer_id, lat, lng, status, tier, s = +1 / -1) to
 * every grid zoom, with their current balances. Net-zero rows are dropped before anything is locked.
 */
export function applyDelta(source: string, maxZoom = GRID_MAX_ZOOM): string {
  return `
    WITH cells AS MATERIALIZED (
      SELECT z.zoom::smallint AS zoom, map_cell_x(d.lng, z.zoom + ${GRID_CELL_SHIFT}) AS cx,
             map_cell_y(d.lat, z.zoom + ${GRID_CELL_SHIFT}) AS cy, d.status, d.tier, d.customer_id,
             d.lat, d.lng, d.s
      FROM (${source}) AS d(customer_id, lat, lng, status, tier, s)
      CROSS JOIN generate_series(0, ${maxZoom}) AS z(zoom)
      WHERE d.lat IS NOT NULL AND d.lng IS NOT NULL
    ), counted AS (
      INSERT INTO map_grid AS g (zoom, cx, cy, status, tier, n, sum_lat, sum_lng)
        SELECT zoom, cx, cy, status, tier, sum(s), sum(s * lat), sum(s * lng)
        FROM cells GROUP BY 1, 2, 3, 4, 5
        HAVING sum(s) <> 0 OR sum(s * lat) <> 0 OR sum(s * lng) <> 0
        ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (zoom, cx, cy, status, tier) DO UPDATE
        SET n = g.n + EXCLUDED.n, sum_lat = g.sum_lat + EXCLUDED.sum_lat, sum_lng = g.sum_lng + EXCLUDED.sum_lng
      RETURNING 1
    )
    INSERT INTO map_grid_sums AS g (zoom, cx, cy, status, tier, currency, outstanding_minor, overdue_minor)
      SELECT c.zoom, c.cx, c.cy, c.status, c.tier, b.currency,
             sum(c.s * b.outstanding_minor)::bigint, sum(c.s * b.overdue_minor)::bigint
      FROM cells c JOIN customer_pin_balances b ON b.customer_id = c.customer_id
      GROUP BY 1, 2, 3, 4, 5, 6
      HAVING sum(c.s * b.outstanding_minor) <> 0 OR sum(c.s * b.overdue_minor) <> 0
      ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (zoom, cx, cy, status, tier, currency) DO UPDATE
      SET outstanding_minor = g.outstanding_minor + EXCLUDED.outstanding_minor,
          overdue_minor = g.overdue_minor + EXCLUDED.overdue_minor`;
}

export function pinTriggerFunction(
  op: 'insert' | 'update' | 'delete',
  source: string,
  maxZoom = GRID_MAX_ZOOM,
): string {
  return `
    CREATE OR REPLACE FUNCTION map_grid_pins_${op}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${applyDelta(source, maxZoom)};
      RETURN NULL;
    END $$`;
}

/** A balance changes the sums of its pin's cells (when the pin is located), not the counts. */
export function balanceTriggerFunction(
  op: 'insert' | 'update' | 'delete',
  source: string,
  maxZoom = GRID_MAX_ZOOM,
): string {
  return `
    CREATE OR REPLACE FUNCTION map_grid_balances_${op}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO map_grid_sums AS g (zoom, cx, cy, status, tier, currency, outstanding_minor, overdue_minor)
        SELECT z.zoom::smallint, map_cell_x(p.longitude, z.zoom + ${GRID_CELL_SHIFT}),
               map_cell_y(p.latitude, z.zoom + ${GRID_CELL_SHIFT}), p.status, p.tier, d.currency,
               sum(d.s * d.outstanding)::bigint, sum(d.s * d.overdue)::bigint
        FROM (${source}) AS d(customer_id, currency, outstanding, overdue, s)
        JOIN customer_pins p ON p.customer_id = d.customer_id
        CROSS JOIN generate_series(0, ${maxZoom}) AS z(zoom)
        WHERE p.latitude IS NOT NULL AND p.longitude IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(d.s * d.outstanding) <> 0 OR sum(d.s * d.overdue) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (zoom, cx, cy, status, tier, currency) DO UPDATE
        SET outstanding_minor = g.outstanding_minor + EXCLUDED.outstanding_minor,
            overdue_minor = g.overdue_minor + EXCLUDED.overdue_minor;
      RETURN NULL;
    END $$`;
}
