import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The source ERP systems of each customer (customer-upserted's sources) on its pin, so the map,
 * its list and the worklist filter by them (issue 17). Pins written before this know none until
 * their customer's next customer-upserted (or a replay of the topic).
 */
export class PinSourceSystems1798200000000 implements MigrationInterface {
  name = 'PinSourceSystems1798200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE customer_pins ADD COLUMN IF NOT EXISTS source_systems text[] NOT NULL DEFAULT '{}'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_pins DROP COLUMN IF EXISTS source_systems`);
  }
}
