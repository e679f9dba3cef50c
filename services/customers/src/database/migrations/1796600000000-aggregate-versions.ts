import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions instead of clocks (docs/adr/0015). A customer's version is incremented under its row
 * lock with every change customers announces, and its events carry it. The projections keep the
 * version of the last event applied next to its occurred_at: the invoice version (invoicing's
 * events) per invoice, the geocode version (geocoding's verdicts) per customer location. Existing
 * rows get 0, "no version": they are compared by occurred_at, as before, until an event with a
 * version replaces them.
 */
export class AggregateVersions1796600000000 implements MigrationInterface {
  name = 'AggregateVersions1796600000000';

  async up(q: QueryRunner): Promise<void> {
    // IF NOT EXISTS / OR REPLACE: a development database may have run it as 1796000000000, its
    // number for a day, and TypeORM knows migrations by name.
    await q.query(`ALTER TABLE customers ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0`);
    await q.query(
      `ALTER TABLE customers ADD COLUMN IF NOT EXISTS location_version bigint NOT NULL DEFAULT 0`,
    );
    await q.query(
      `ALTER TABLE invoice_balances ADD COLUMN IF NOT EXISTS last_version bigint NOT NULL DEFAULT 0`,
    );
    // The contract's ordering rule (compareEventPositions in @duemap/events) for the guards of the
    // projections' statements: an event applies unless what is held is newer. Versions decide
    // when both sides have one, occurred_at when either has none; nothing held: it applies.
    await q.query(`
      CREATE OR REPLACE FUNCTION event_not_older(version bigint, occurred_at timestamptz,
                                      held_version bigint, held_occurred_at timestamptz)
      RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN held_occurred_at IS NULL THEN true
                    WHEN version > 0 AND held_version > 0 THEN version >= held_version
                    ELSE occurred_at >= held_occurred_at END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION event_not_older(bigint, timestamptz, bigint, timestamptz)`);
    await q.query(`ALTER TABLE invoice_balances DROP COLUMN last_version`);
    await q.query(`ALTER TABLE customers DROP COLUMN location_version`);
    await q.query(`ALTER TABLE customers DROP COLUMN version`);
  }
}
