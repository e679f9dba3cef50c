import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an allocation left open on its invoice, as payments decided it (ADR 0030): payment-received
 * carries it, so notifications stops chasing a settled invoice in one hop. Null for allocations
 * decided before it was recorded.
 */
export class AllocationOpenAfter1798600000000 implements MigrationInterface {
  name = 'AllocationOpenAfter1798600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_allocation ADD COLUMN IF NOT EXISTS invoice_open_after_minor bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_allocation DROP COLUMN invoice_open_after_minor`);
  }
}
