import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * payments.payment-reversed.v1 (issue 18). An application of a payment to an invoice is kept when
 * the payment is reversed and marked instead: `reversed_minor` is what the reversal gave back to the
 * invoice (at most what was applied) and `reversed_at` says it happened, so a redelivered or
 * repeated reversal finds it done. `payment_reversals` remembers every reversed payment, so that a
 * payment-received arriving after its reversal (topics are not ordered relative to each other)
 * applies nothing.
 */
export class PaymentReversals1797000000000 implements MigrationInterface {
  name = 'PaymentReversals1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoice_payments
        ADD COLUMN reversed_minor bigint NOT NULL DEFAULT 0,
        ADD COLUMN reversed_at    timestamptz,
        ADD CONSTRAINT invoice_payments_reversed_check
          CHECK (reversed_minor >= 0 AND reversed_minor <= applied_minor)`);
    await q.query(`
      CREATE TABLE payment_reversals (
        payment_id   text        PRIMARY KEY,
        customer_id  text        NOT NULL,
        currency     char(3)     NOT NULL,
        amount_minor bigint      NOT NULL,
        reason       text        NOT NULL,
        detail       text        NOT NULL,
        occurred_at  timestamptz NOT NULL,
        recorded_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_reversals`);
    await q.query(`
      ALTER TABLE invoice_payments
        DROP CONSTRAINT invoice_payments_reversed_check,
        DROP COLUMN reversed_at,
        DROP COLUMN reversed_minor`);
  }
}
