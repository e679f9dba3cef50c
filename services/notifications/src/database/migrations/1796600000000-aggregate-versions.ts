import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions instead of clocks (docs/adr/0015). The invoice and customer projections keep the version
 * of the last event applied (invoice_version, customer_version) next to its occurred_at. Existing
 * rows get 0, "no version": they are compared by occurred_at, as before, until an event with a
 * version replaces them.
 */
export class AggregateVersions1796600000000 implements MigrationInterface {
  name = 'AggregateVersions1796600000000';

  async up(q: QueryRunner): Promise<void> {
    // IF NOT EXISTS / OR REPLACE: a development database may have run it as 1796000000000, its
    // number for a day, and TypeORM knows migrations by name.
    await q.query(`ALTER TABLE invoices ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE customers ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN version`);
    await q.query(`ALTER TABLE invoices DROP COLUMN version`);
  }
}
