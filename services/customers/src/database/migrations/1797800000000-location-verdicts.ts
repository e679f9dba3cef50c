import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The customer JSON says whether geocoding placed the customer and, when it could not, why: a
 * location state (pending until geocoding's first verdict, located, not_located) and what the
 * last geocode-failed said (reason, detail, whether geocoding retries by itself, the places an
 * ambiguous address may mean, the confidence of its best reading). Rows that already had a verdict
 * get their state from it; the reason of an earlier failure was not kept and stays unknown (null)
 * until geocoding's next verdict. The partial index serves the AR clerk's worklist
 * (GET /api/v1/customers?location=not_located, ordered by name) without reading the located; the
 * list names the states as literals so that PostgreSQL can prove the index applies.
 */
export class LocationVerdicts1797800000000 implements MigrationInterface {
  name = 'LocationVerdicts1797800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE customers
        ADD COLUMN location_state text NOT NULL DEFAULT 'pending'
            CHECK (location_state IN ('pending', 'located', 'not_located')),
        ADD COLUMN location_failure_reason text,
        ADD COLUMN location_failure_detail text,
        ADD COLUMN location_will_retry boolean,
        ADD COLUMN location_candidates jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN location_confidence double precision
            CHECK (location_confidence BETWEEN 0 AND 1)`);
    await q.query(`
      UPDATE customers
         SET location_state = CASE WHEN latitude IS NOT NULL THEN 'located' ELSE 'not_located' END
       WHERE location_occurred_at IS NOT NULL`);
    // In the list's keyset order (name, id), so a page of not-located (or pending) customers reads
    // about a page of index entries; the state itself is filtered on top of it.
    await q.query(
      `CREATE INDEX customers_unlocated_name_idx ON customers (name, id) WHERE location_state <> 'located'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customers_unlocated_name_idx`);
    await q.query(`
      ALTER TABLE customers
        DROP COLUMN location_confidence,
        DROP COLUMN location_candidates,
        DROP COLUMN location_will_retry,
        DROP COLUMN location_failure_detail,
        DROP COLUMN location_failure_reason,
        DROP COLUMN location_state`);
  }
}
