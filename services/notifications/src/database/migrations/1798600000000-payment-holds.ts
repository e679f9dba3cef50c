import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What payments said about an invoice before invoicing recorded it (ADR 0030): a payment whose
 * allocation leaves nothing open on the invoice holds its reminders at once; invoice-paid naming the
 * payment, its reversal or an allocation rejected releases the hold. Release and hold commute (a
 * release that comes first is remembered), so topics need not be ordered against each other.
 */
export class PaymentHolds1798600000000 implements MigrationInterface {
  name = 'PaymentHolds1798600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invoice_payment_holds (
        invoice_id  text        NOT NULL,
        payment_id  uuid        NOT NULL,
        -- The payment's allocation left nothing open on the invoice.
        settles     boolean     NOT NULL,
        -- invoicing recorded it (invoice-paid), or it was reversed or rejected: it holds nothing.
        released    boolean     NOT NULL DEFAULT false,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (invoice_id, payment_id)
      )`);
    await q.query(
      `CREATE INDEX invoice_payment_holds_active_idx ON invoice_payment_holds (invoice_id)
        WHERE settles AND NOT released`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invoice_payment_holds`);
  }
}
