import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Look-alike payments (same amount, value date and payer, no bank id in common): the cash
 * application of a statement line asks for them before it applies anything, so it needs an index.
 */
export class PaymentLookalikes1798400000000 implements MigrationInterface {
  name = 'PaymentLookalikes1798400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS payment_amount_idx ON payment (currency, amount_minor, received_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payment_amount_idx`);
  }
}
