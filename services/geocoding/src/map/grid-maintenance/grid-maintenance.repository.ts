import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { GRID_CELL_SHIFT, GRID_MAX_ZOOM } from '../grid';

/**
 * pg_try_advisory_xact_lock(MAP_GRID_LOCK_NAMESPACE, 0) admits one drainer at a time across
 * instances; map_grid_rebuild() takes the same lock (migration 1798000000000).
 */
export const MAP_GRID_LOCK_NAMESPACE = 0x4d415047;

/** What one batch did: nothing when another drainer (or a rebuild) held the lock. */
export type DrainBatch =
  | { locked: false }
  | {
      locked: true;
      /** Customers whose marks were taken and applied. */
      claimed: number;
      /** Seconds the oldest claimed mark had waited (0 when none). */
      oldestSeconds: number;
    };

export interface GridBacklog {
  /** Customers marked and not yet applied. */
  dirty: number;
  /** Seconds the oldest of them has waited; 0 when none waits. */
  oldestSeconds: number;
}

const PIN = `customer_id, pin_no, latitude, longitude, status, tier,
  country_code, region_code, region_name, city, district_code, district_name`;
const ROLLUP_KEY = [
  'country_code',
  'region_code',
  'region_name',
  'city',
  'district_code',
  'district_name',
  'status',
  'tier',
] as const;
const GRID_KEY = ['zoom', 'cx', 'cy', 'status', 'tier'] as const;
const list = (columns: readonly string[], alias = ''): string =>
  columns.map((c) => `${alias}${c}`).join(', ');
const positions = (n: number): string => Array.from({ length: n }, (_, i) => i + 1).join(', ');

// Takes up to $1 marks. SKIP LOCKED leaves the marks whose writer has not committed yet (it holds
// the mark's row lock, see the migration) to a later batch, so no mark is taken before the change
// it stands for is visible, and the drainer never waits on a writer.
const CLAIM_SQL = `
  WITH claimed AS (
    DELETE FROM map_grid_dirty d
    USING (SELECT customer_id FROM map_grid_dirty LIMIT $1 FOR UPDATE SKIP LOCKED) c
    WHERE d.customer_id = c.customer_id
    RETURNING d.customer_id, d.marked_at
  )
  SELECT coalesce(array_agg(customer_id), '{}') AS ids,
         coalesce(extract(epoch FROM clock_timestamp() - min(marked_at)), 0)::float8 AS oldest
  FROM claimed`;

/**
 * For the claimed customers ($1), in one statement (one snapshot): their contribution now (the
 * located pin, its balances) counted +1, what the grid counts for them (the applied tables) -1,
 * summed per grid cell of every zoom and per roll-up key into one upsert per table; then the
 * applied tables take the contribution now. Net-zero groups are dropped before anything is
 * written. Returns the keys whose counts fell to zero (deleted by CLEANUP_SQL: a statement cannot
 * delete the rows it upserted), as JSON arrays of objects.
 *
 * The claimed customers' pins and balances cannot change under this transaction: a writer's mark
 * conflicts with the mark deleted here and waits for this transaction to end, before it commits.
 */
const APPLY_SQL = `
  WITH ids AS MATERIALIZED (
    SELECT DISTINCT unnest($1::text[]) AS customer_id
  ), cur AS MATERIALIZED (
    SELECT ${PIN} FROM customer_pins JOIN ids USING (customer_id)
    WHERE latitude IS NOT NULL AND longitude IS NOT NULL
  ), old AS MATERIALIZED (
    SELECT ${PIN} FROM map_grid_applied JOIN ids USING (customer_id)
  ), cur_sums AS MATERIALIZED (
    SELECT b.customer_id, b.currency::text AS currency, b.outstanding_minor, b.overdue_minor
    FROM customer_pin_balances b JOIN cur USING (customer_id)
  ), old_sums AS MATERIALIZED (
    SELECT customer_id, currency, outstanding_minor, overdue_minor
    FROM map_grid_applied_sums JOIN ids USING (customer_id)
  ), pins AS MATERIALIZED (
    SELECT *, 1 AS s FROM cur UNION ALL SELECT *, -1 FROM old
  ), sums AS MATERIALIZED (
    SELECT *, 1 AS s FROM cur_sums UNION ALL SELECT *, -1 FROM old_sums
  ), cells AS MATERIALIZED (
    SELECT z.zoom::smallint AS zoom, map_cell_x(p.longitude, z.zoom + ${GRID_CELL_SHIFT}) AS cx,
           map_cell_y(p.latitude, z.zoom + ${GRID_CELL_SHIFT}) AS cy, p.status, p.tier,
           p.latitude, p.longitude, p.pin_no, p.s
    FROM pins p CROSS JOIN generate_series(0, ${GRID_MAX_ZOOM}) AS z(zoom)
  ), grid AS (
    INSERT INTO map_grid AS g (${list(GRID_KEY)}, n, sum_lat, sum_lng, sum_pin_no)
      SELECT ${list(GRID_KEY)}, sum(s), sum(s * latitude), sum(s * longitude), sum(s * pin_no)
      FROM cells GROUP BY ${positions(GRID_KEY.length)}
      HAVING sum(s) <> 0 OR sum(s * latitude) <> 0 OR sum(s * longitude) <> 0 OR sum(s * pin_no) <> 0
    ON CONFLICT (${list(GRID_KEY)}) DO UPDATE
      SET n = g.n + EXCLUDED.n, sum_lat = g.sum_lat + EXCLUDED.sum_lat,
          sum_lng = g.sum_lng + EXCLUDED.sum_lng, sum_pin_no = g.sum_pin_no + EXCLUDED.sum_pin_no
    RETURNING ${list(GRID_KEY)}, n
  ), grid_sums AS (
    INSERT INTO map_grid_sums AS g (${list(GRID_KEY)}, currency, outstanding_minor, overdue_minor)
      SELECT z.zoom::smallint, map_cell_x(p.longitude, z.zoom + ${GRID_CELL_SHIFT}),
             map_cell_y(p.latitude, z.zoom + ${GRID_CELL_SHIFT}), p.status, p.tier, x.currency,
             sum(x.s * x.outstanding_minor)::bigint, sum(x.s * x.overdue_minor)::bigint
      FROM sums x JOIN pins p USING (customer_id, s) CROSS JOIN generate_series(0, ${GRID_MAX_ZOOM}) AS z(zoom)
      GROUP BY ${positions(GRID_KEY.length + 1)}
      HAVING sum(x.s * x.outstanding_minor) <> 0 OR sum(x.s * x.overdue_minor) <> 0
    ON CONFLICT (${list(GRID_KEY)}, currency) DO UPDATE
      SET outstanding_minor = g.outstanding_minor + EXCLUDED.outstanding_minor,
          overdue_minor = g.overdue_minor + EXCLUDED.overdue_minor
    RETURNING ${list(GRID_KEY)}, currency, outstanding_minor, overdue_minor
  ), rollup AS (
    INSERT INTO map_rollup AS r (${list(ROLLUP_KEY)}, n, sum_lat, sum_lng)
      SELECT ${list(ROLLUP_KEY)}, sum(s), sum(s * latitude), sum(s * longitude)
      FROM pins GROUP BY ${positions(ROLLUP_KEY.length)}
      HAVING sum(s) <> 0 OR sum(s * latitude) <> 0 OR sum(s * longitude) <> 0
    ON CONFLICT (${list(ROLLUP_KEY)}) DO UPDATE
      SET n = r.n + EXCLUDED.n, sum_lat = r.sum_lat + EXCLUDED.sum_lat, sum_lng = r.sum_lng + EXCLUDED.sum_lng
    RETURNING ${list(ROLLUP_KEY)}, n
  ), rollup_sums AS (
    INSERT INTO map_rollup_sums AS r (${list(ROLLUP_KEY)}, currency, n, outstanding_minor, overdue_minor)
      SELECT ${list(ROLLUP_KEY, 'p.')}, x.currency, sum(x.s),
             sum(x.s * x.outstanding_minor)::bigint, sum(x.s * x.overdue_minor)::bigint
      FROM pins p JOIN sums x USING (customer_id, s)
      GROUP BY ${positions(ROLLUP_KEY.length + 1)}
      HAVING sum(x.s) <> 0 OR sum(x.s * x.outstanding_minor) <> 0 OR sum(x.s * x.overdue_minor) <> 0
    ON CONFLICT (${list(ROLLUP_KEY)}, currency) DO UPDATE
      SET n = r.n + EXCLUDED.n, outstanding_minor = r.outstanding_minor + EXCLUDED.outstanding_minor,
          overdue_minor = r.overdue_minor + EXCLUDED.overdue_minor
    RETURNING ${list(ROLLUP_KEY)}, currency, n
  ), applied AS (
    INSERT INTO map_grid_applied AS a (${PIN}) SELECT ${PIN} FROM cur
    ON CONFLICT (customer_id) DO UPDATE
      SET pin_no = EXCLUDED.pin_no, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
          status = EXCLUDED.status, tier = EXCLUDED.tier, country_code = EXCLUDED.country_code,
          region_code = EXCLUDED.region_code, region_name = EXCLUDED.region_name, city = EXCLUDED.city,
          district_code = EXCLUDED.district_code, district_name = EXCLUDED.district_name
  ), unapplied AS (
    DELETE FROM map_grid_applied a USING ids
    WHERE a.customer_id = ids.customer_id AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.customer_id = a.customer_id)
  ), applied_sums AS (
    INSERT INTO map_grid_applied_sums AS a (customer_id, currency, outstanding_minor, overdue_minor)
      SELECT customer_id, currency, outstanding_minor, overdue_minor FROM cur_sums
    ON CONFLICT (customer_id, currency) DO UPDATE
      SET outstanding_minor = EXCLUDED.outstanding_minor, overdue_minor = EXCLUDED.overdue_minor
  ), unapplied_sums AS (
    DELETE FROM map_grid_applied_sums a USING ids
    WHERE a.customer_id = ids.customer_id
      AND NOT EXISTS (SELECT 1 FROM cur_sums c WHERE c.customer_id = a.customer_id AND c.currency = a.currency)
  )
  SELECT
    (SELECT coalesce(jsonb_agg(to_jsonb(g) - 'n'), '[]') FROM grid g WHERE n = 0) AS grid,
    (SELECT coalesce(jsonb_agg(to_jsonb(g) - 'outstanding_minor' - 'overdue_minor'), '[]') FROM grid_sums g
       WHERE outstanding_minor = 0 AND overdue_minor = 0) AS grid_sums,
    (SELECT coalesce(jsonb_agg(to_jsonb(r) - 'n'), '[]') FROM rollup r WHERE n = 0) AS rollup,
    (SELECT coalesce(jsonb_agg(to_jsonb(r) - 'n'), '[]') FROM rollup_sums r WHERE n = 0) AS rollup_sums`;

const GRID_TYPES = 'zoom smallint, cx int, cy int, status text, tier text';
const ROLLUP_TYPES = ROLLUP_KEY.map((c) => `${c} text`).join(', ');
// Keys that cannot be NULL compare with = (the primary key's index finds each row); the roll-ups'
// region keys may be NULL, and their table is small.
const NOT_NULL = new Set(['zoom', 'cx', 'cy', 'status', 'tier', 'currency']);
const same = (columns: readonly string[]): string =>
  columns
    .map((c) => (NOT_NULL.has(c) ? `t.${c} = z.${c}` : `t.${c} IS NOT DISTINCT FROM z.${c}`))
    .join(' AND ');

// Rows whose counts the batch brought to zero, still zero (only the drainer writes these tables).
const CLEANUP_SQL = `
  WITH grid AS (
    DELETE FROM map_grid t USING jsonb_to_recordset($1::jsonb) AS z(${GRID_TYPES})
    WHERE ${same(GRID_KEY)} AND t.n = 0
  ), grid_sums AS (
    DELETE FROM map_grid_sums t USING jsonb_to_recordset($2::jsonb) AS z(${GRID_TYPES}, currency text)
    WHERE ${same([...GRID_KEY, 'currency'])} AND t.outstanding_minor = 0 AND t.overdue_minor = 0
  ), rollup AS (
    DELETE FROM map_rollup t USING jsonb_to_recordset($3::jsonb) AS z(${ROLLUP_TYPES})
    WHERE ${same(ROLLUP_KEY)} AND t.n = 0
  )
  DELETE FROM map_rollup_sums t USING jsonb_to_recordset($4::jsonb) AS z(${ROLLUP_TYPES}, currency text)
  WHERE ${same([...ROLLUP_KEY, 'currency'])} AND t.n = 0`;

const BACKLOG_SQL = `
  SELECT count(*)::int AS dirty,
         coalesce(extract(epoch FROM clock_timestamp() - min(marked_at)), 0)::float8 AS oldest
  FROM map_grid_dirty`;

/** SQL of the grid's maintenance: marks taken in batches and applied (ADR 0020). */
@Injectable()
export class GridMaintenanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One transaction: the drainers' lock (or nothing, when another holds it), up to `limit` marks
   * taken and their customers applied to map_grid, map_grid_sums and the roll-ups.
   */
  drainBatch(limit: number): Promise<DrainBatch> {
    return this.dataSource.transaction(async (em): Promise<DrainBatch> => {
      const [lock] = await em.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock($1, 0) AS locked`,
        [MAP_GRID_LOCK_NAMESPACE],
      );
      if (!lock?.locked) return { locked: false };
      const [claim] = await em.query<{ ids: string[]; oldest: number }[]>(CLAIM_SQL, [limit]);
      const ids = claim?.ids ?? [];
      if (ids.length > 0) await this.apply(em, ids);
      return { locked: true, claimed: ids.length, oldestSeconds: ids.length > 0 ? (claim?.oldest ?? 0) : 0 };
    });
  }

  async backlog(): Promise<GridBacklog> {
    const [row] = await this.dataSource.query<{ dirty: number; oldest: number }[]>(BACKLOG_SQL);
    return { dirty: row?.dirty ?? 0, oldestSeconds: row?.oldest ?? 0 };
  }

  /**
   * VACUUMs the marks table: every mark is a row inserted and deleted, and a server may run
   * without autovacuum (as the outbox relay's vacuum explains). Outside any transaction, on a
   * connection of its own, skipping it when a lock is held.
   */
  async vacuumMarks(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.query('SET statement_timeout = 0');
      await runner.query('VACUUM (SKIP_LOCKED) map_grid_dirty');
    } finally {
      await runner.query('RESET statement_timeout').catch(() => undefined);
      await runner.release();
    }
  }

  private async apply(em: EntityManager, ids: readonly string[]): Promise<void> {
    const [zero] = await em.query<
      { grid: unknown[]; grid_sums: unknown[]; rollup: unknown[]; rollup_sums: unknown[] }[]
    >(APPLY_SQL, [ids]);
    if (!zero) return;
    const keys = [zero.grid, zero.grid_sums, zero.rollup, zero.rollup_sums];
    if (keys.some((k) => k.length > 0))
      await em.query(
        CLEANUP_SQL,
        keys.map((k) => JSON.stringify(k)),
      );
  }
}
