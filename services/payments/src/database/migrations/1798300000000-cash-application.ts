import type { MigrationInterface, QueryRunner } from 'typeorm';
import { invoiceNumberIndexKeys } from '../../cash-application/invoice-numbers';
import { customerNameIndexKeys } from '../../cash-application/payer-names';

/**
 * Cash application in payments (issue 18, ADR 0031): payments get their life cycle, the evidence
 * of how they were applied, reversals and refunds, and the read model the engine searches.
 *
 * - payment.status: received (nothing applied, all unapplied credit), applied, partially_applied,
 *   needs_review (waiting in the exceptions worklist: no customer or allocations decided yet, no
 *   event emitted), reversed, refunded (all of its unapplied part paid back). A payment waiting for
 *   review may not know its customer yet, so customer_id becomes nullable for that state only.
 * - The payer as the bank printed it, the engine's suggestion and the person's choice.
 * - payment_allocation: the engine's rules, confidence and evidence; reversed_at marks an
 *   allocation a reversal undid (it no longer counts against the invoice).
 * - payment_refund: money paid back out of a payment's unapplied part.
 * - Search keys the engine looks up by (invoice numbers, customer names: computed by the same
 *   functions the engine matches with, so existing rows are filled here) and the payer accounts
 *   payments learned from confirmed payments.
 * - bank_statement_lines: a candidate line gets the payment it became.
 */
export class CashApplication1798300000000 implements MigrationInterface {
  name = 'CashApplication1798300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment DROP CONSTRAINT IF EXISTS payment_status_check`);
    await q.query(`ALTER TABLE payment ALTER COLUMN customer_id DROP NOT NULL`);
    await q.query(`
      ALTER TABLE payment
        ADD COLUMN source              text        NOT NULL DEFAULT 'api'
                                       CHECK (source IN ('api', 'bank_statement', 'bank_topic')),
        ADD COLUMN payer_name          text,
        ADD COLUMN payer_account       text,
        ADD COLUMN end_to_end_id       text,
        ADD COLUMN bank_transaction_id text,
        ADD COLUMN statement_id        uuid,
        ADD COLUMN statement_line_no   integer,
        ADD COLUMN confidence          numeric(4, 3),
        ADD COLUMN review_reasons      text[]      NOT NULL DEFAULT '{}',
        ADD COLUMN suggestion          jsonb,
        ADD COLUMN evidence            text[]      NOT NULL DEFAULT '{}',
        ADD COLUMN reviewed_by         text,
        ADD COLUMN reviewed_at         timestamptz,
        ADD COLUMN reversed_at         timestamptz,
        ADD COLUMN reversal_reason     text,
        ADD COLUMN reversal_detail     text,
        ADD COLUMN reversed_by         text,
        ADD COLUMN refunded_minor      bigint      NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
        ADD COLUMN updated_at          timestamptz`);
    await q.query(`
      UPDATE payment p SET status = CASE
          WHEN applied.minor = 0 THEN 'received'
          WHEN applied.minor = p.amount_minor THEN 'applied'
          ELSE 'partially_applied' END
        FROM (SELECT p2.id, COALESCE(SUM(a.applied_minor - a.rejected_minor), 0) AS minor
                FROM payment p2 LEFT JOIN payment_allocation a ON a.payment_id = p2.id GROUP BY p2.id) applied
       WHERE applied.id = p.id`);
    await q.query(`
      ALTER TABLE payment
        ADD CONSTRAINT payment_status_check CHECK (status IN
          ('received', 'applied', 'partially_applied', 'needs_review', 'reversed', 'refunded')),
        ADD CONSTRAINT payment_customer_known_check CHECK (customer_id IS NOT NULL OR status = 'needs_review'),
        ADD CONSTRAINT payment_refund_within_amount_check CHECK (refunded_minor <= amount_minor)`);
    await q.query(`CREATE INDEX payment_status_idx ON payment (status, created_at, id)`);
    await q.query(`CREATE INDEX payment_created_idx ON payment (created_at, id)`);
    await q.query(
      `CREATE INDEX payment_end_to_end_idx ON payment (end_to_end_id) WHERE end_to_end_id IS NOT NULL`,
    );

    await q.query(`ALTER TABLE payment_allocation DROP CONSTRAINT IF EXISTS payment_allocation_rule_check`);
    await q.query(`
      ALTER TABLE payment_allocation
        ADD CONSTRAINT payment_allocation_rule_check CHECK (rule IN
          ('explicit', 'invoice_reference', 'exact_amount', 'amount_combination', 'oldest_due_first')),
        ADD COLUMN confidence  numeric(4, 3),
        ADD COLUMN evidence    text[] NOT NULL DEFAULT '{}',
        ADD COLUMN reversed_at timestamptz`);

    await q.query(`
      CREATE TABLE payment_refund (
        id              uuid        PRIMARY KEY,
        payment_id      uuid        NOT NULL REFERENCES payment (id),
        customer_id     text        NOT NULL,
        amount_minor    bigint      NOT NULL CHECK (amount_minor > 0),
        currency        char(3)     NOT NULL,
        method          text        NOT NULL
                        CHECK (method IN ('bank_transfer', 'card', 'cheque', 'cash', 'e_wallet')),
        reference       text        NOT NULL,
        idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        request_hash    text        NOT NULL,
        refunded_by     text        NOT NULL,
        created_at      timestamptz NOT NULL,
        CONSTRAINT payment_refund_idempotency_key_uq UNIQUE (idempotency_key)
      )`);
    await q.query(`CREATE INDEX payment_refund_payment_idx ON payment_refund (payment_id)`);

    await q.query(`
      CREATE TABLE customer_payer_account (
        account      text        NOT NULL,
        customer_id  text        NOT NULL,
        learned_from uuid        NOT NULL,
        learned_at   timestamptz NOT NULL,
        PRIMARY KEY (account, customer_id)
      )`);

    await q.query(`ALTER TABLE invoice_view ADD COLUMN number_keys text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE customer_view ADD COLUMN name_keys text[] NOT NULL DEFAULT '{}'`);
    await this.fillKeys(q);
    await q.query(`CREATE INDEX invoice_view_number_keys_idx ON invoice_view USING gin (number_keys)`);
    await q.query(`CREATE INDEX customer_view_name_keys_idx ON customer_view USING gin (name_keys)`);
    // Exact-amount look-ups over everyone's open invoices (a payer the engine has not identified):
    // invoicing's part of the open amount; payments' allocations are subtracted after the look-up.
    await q.query(
      `CREATE INDEX invoice_view_invoicing_open_idx ON invoice_view (currency, (total_minor - pre_settled_minor))
        WHERE kind = 'invoice' AND status NOT IN ('paid', 'void')`,
    );

    await q.query(
      `ALTER TABLE bank_statement_lines DROP CONSTRAINT IF EXISTS bank_statement_lines_status_check`,
    );
    await q.query(`
      ALTER TABLE bank_statement_lines
        ADD COLUMN payment_id uuid,
        ADD CONSTRAINT bank_statement_lines_status_check
          CHECK (status IN ('unmatched', 'duplicate', 'not_candidate', 'recorded'))`);
  }

  /** Keys of the rows already there, in pages (the functions are TypeScript, not SQL). */
  private async fillKeys(q: QueryRunner): Promise<void> {
    const page = 5000;
    for (let after = ''; ;) {
      const rows = (await q.query(
        `SELECT invoice_id, number FROM invoice_view WHERE invoice_id > $1 ORDER BY invoice_id LIMIT $2`,
        [after, page],
      )) as { invoice_id: string; number: string }[];
      if (rows.length === 0) break;
      await q.query(
        `UPDATE invoice_view v SET number_keys = k.keys
           FROM jsonb_to_recordset($1::jsonb) AS k(id text, keys text[]) WHERE v.invoice_id = k.id`,
        [JSON.stringify(rows.map((r) => ({ id: r.invoice_id, keys: invoiceNumberIndexKeys(r.number) })))],
      );
      after = (rows[rows.length - 1] as { invoice_id: string }).invoice_id;
    }
    for (let after = ''; ;) {
      const rows = (await q.query(
        `SELECT customer_id, name FROM customer_view WHERE customer_id > $1 ORDER BY customer_id LIMIT $2`,
        [after, page],
      )) as { customer_id: string; name: string }[];
      if (rows.length === 0) break;
      await q.query(
        `UPDATE customer_view v SET name_keys = k.keys
           FROM jsonb_to_recordset($1::jsonb) AS k(id text, keys text[]) WHERE v.customer_id = k.id`,
        [JSON.stringify(rows.map((r) => ({ id: r.customer_id, keys: customerNameIndexKeys(r.name) })))],
      );
      after = (rows[rows.length - 1] as { customer_id: string }).customer_id;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_statement_lines DROP COLUMN payment_id`);
    await q.query(`DROP TABLE customer_payer_account`);
    await q.query(`DROP TABLE payment_refund`);
    await q.query(`ALTER TABLE invoice_view DROP COLUMN number_keys`);
    await q.query(`ALTER TABLE customer_view DROP COLUMN name_keys`);
  }
}
