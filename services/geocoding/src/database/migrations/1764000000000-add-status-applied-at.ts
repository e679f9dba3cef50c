import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the pin's status last changed here (not when customers decided it): what an operator and
 * the end-to-end benchmark read as "the map changed".
 */
export class AddStatusAppliedAt1764000000000 implements MigrationInterface {
  name = 'AddStatusAppliedAt1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_pins ADD COLUMN status_applied_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_pins DROP COLUMN status_applied_at`);
  }
}
