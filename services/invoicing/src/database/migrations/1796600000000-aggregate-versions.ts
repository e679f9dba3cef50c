import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions instead of clocks (docs/adr/0015). An invoice's version is incremented under its row
 * lock with every change invoicing writes, and the change's events carry it. The customer read
 * model keeps the customer_version of the last customer-upserted applied next to its time.
 * Existing rows get 0, "no version": they are compared by occurred_at, as before.
 */
export class AggregateVersions1796600000000 implements MigrationInterface {
  name = 'AggregateVersions1796600000000';

  async up(q: QueryRunner): Promise<void> {
    // IF NOT EXISTS / OR REPLACE: a development database may have run it as 1796000000000, its
    // number for a day, and TypeORM knows migrations by name.
    await q.query(`ALTER TABLE invoices ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0`);
    await q.query(
      `ALTER TABLE customers ADD COLUMN IF NOT EXISTS last_event_version bigint NOT NULL DEFAULT 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN last_event_version`);
    await q.query(`ALTER TABLE invoices DROP COLUMN version`);
  }
}
