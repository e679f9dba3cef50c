import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePayments1763990400000 implements MigrationInterface {
  name = 'CreatePayments1763990400000';

  async up(q: QueryRunner): Promise<void> {
    // Read models of other services' entities. Ids are text: the contract promises opaque ids
    // (UUIDs in practice), and a projection must not reject an event over the id's shape.
    await q.query(`
      CREATE TABLE customer_view (
        customer_id      text        PRIMARY KEY,
        name             text        NOT NULL,
        last_occurred_at timestamptz,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE invoice_view (
        invoice_id          text        PRIMARY KEY,
        customer_id         text        NOT NULL,
        number              text        NOT NULL,
        kind                text        NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
        currency            char(3)     NOT NULL,
        total_minor         bigint      NOT NULL,
        pre_settled_minor   bigint      NOT NULL DEFAULT 0,
        reported_open_minor bigint,
        issue_date          date,
        due_date            date,
        status              text        NOT NULL
                            CHECK (status IN ('open', 'partially_paid', 'paid', 'overdue', 'void')),
        last_occurred_at    timestamptz,
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invoice_view_customer_idx ON invoice_view (customer_id, currency)`);

    await q.query(`
      CREATE TABLE payment (
        id              uuid        PRIMARY KEY,
        customer_id     text        NOT NULL,
        amount_minor    bigint      NOT NULL CHECK (amount_minor > 0),
        currency        char(3)     NOT NULL,
        received_at     timestamptz NOT NULL,
        method          text        NOT NULL
                        CHECK (method IN ('bank_transfer', 'card', 'cheque', 'cash', 'e_wallet')),
        reference       text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ('received')),
        idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        request_hash    text        NOT NULL,
        created_at      timestamptz NOT NULL,
        CONSTRAINT payment_idempotency_key_uq UNIQUE (idempotency_key)
      )`);
    await q.query(`CREATE INDEX payment_customer_idx ON payment (customer_id, created_at)`);
    await q.query(`
      CREATE TABLE payment_allocation (
        payment_id       uuid        NOT NULL REFERENCES payment (id),
        invoice_id       text        NOT NULL,
        position         int         NOT NULL,
        invoice_number   text        NOT NULL,
        applied_minor    bigint      NOT NULL CHECK (applied_minor > 0),
        rejected_minor   bigint      NOT NULL DEFAULT 0,
        rule             text        NOT NULL CHECK (rule IN ('explicit', 'oldest_due_first')),
        rejection_reason text,
        rejected_at      timestamptz,
        PRIMARY KEY (payment_id, invoice_id),
        CHECK (rejected_minor >= 0 AND rejected_minor <= applied_minor)
      )`);
    await q.query(`CREATE INDEX payment_allocation_invoice_idx ON payment_allocation (invoice_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_allocation`);
    await q.query(`DROP TABLE payment`);
    await q.query(`DROP TABLE invoice_view`);
    await q.query(`DROP TABLE customer_view`);
  }
}
