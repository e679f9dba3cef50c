import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payments' allocations as customers learns them from payment-received (ADR 0030: payments owns
 * open amounts), counted against an invoice's open amount until invoicing records them (the
 * invoice-changed or invoice-paid that names the payment), or the payment is reversed, or invoicing
 * rejects the allocation: then `released`, and invoicing's open amount speaks alone again. Release
 * and allocation commute (a release that comes first is kept), so topics need no order between them.
 */
export class PaymentAllocations1798600000000 implements MigrationInterface {
  name = 'PaymentAllocations1798600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_allocations (
        payment_id    text        NOT NULL,
        invoice_id    text        NOT NULL,
        customer_id   text        NOT NULL,
        currency      char(3),
        applied_minor bigint      NOT NULL DEFAULT 0,
        released      boolean     NOT NULL DEFAULT false,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (payment_id, invoice_id)
      )`);
    await q.query(
      `CREATE INDEX payment_allocations_pending_idx ON payment_allocations (customer_id) WHERE NOT released`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_allocations`);
  }
}
