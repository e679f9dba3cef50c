import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInvoicing1763900100000 implements MigrationInterface {
  name = 'CreateInvoicing1763900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customers (
        id            uuid        PRIMARY KEY,
        time_zone     text        NOT NULL DEFAULT 'UTC',
        last_event_at timestamptz,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE customer_sources (
        source_system text NOT NULL,
        external_id   text NOT NULL,
        customer_id   uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
        PRIMARY KEY (source_system, external_id)
      )`);
    await q.query(`CREATE INDEX customer_sources_customer_idx ON customer_sources (customer_id)`);

    await q.query(`
      CREATE TABLE invoices (
        id                     uuid        PRIMARY KEY,
        customer_id            uuid        NOT NULL,
        source_system          text        NOT NULL,
        external_id            text        NOT NULL,
        customer_source_system text,
        customer_external_id   text,
        number                 text        NOT NULL,
        issue_date             date        NOT NULL,
        due_date               date        NOT NULL,
        currency               char(3)     NOT NULL,
        total_minor            bigint      NOT NULL,
        paid_minor             bigint      NOT NULL DEFAULT 0,
        open_minor             bigint      NOT NULL,
        status                 text        NOT NULL,
        time_zone              text        NOT NULL,
        overdue_at             timestamptz NOT NULL,
        lines                  jsonb       NOT NULL DEFAULT '[]',
        void_reason            text,
        voided_at              timestamptz,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT invoices_source_key UNIQUE (source_system, external_id),
        CONSTRAINT invoices_status_check
          CHECK (status IN ('open', 'partially_paid', 'paid', 'overdue', 'void')),
        CONSTRAINT invoices_dates_check CHECK (due_date >= issue_date),
        CONSTRAINT invoices_amounts_check CHECK (total_minor > 0 AND paid_minor >= 0 AND open_minor >= 0),
        CONSTRAINT invoices_open_check
          CHECK (CASE WHEN status = 'void' THEN open_minor = 0 ELSE open_minor = total_minor - paid_minor END)
      )`);
    await q.query(`CREATE INDEX invoices_customer_idx ON invoices (customer_id, due_date, id)`);
    await q.query(`CREATE INDEX invoices_status_idx ON invoices (status, due_date, id)`);
    // The overdue scan: only rows that can still turn overdue are in it.
    await q.query(`
      CREATE INDEX invoices_overdue_scan_idx ON invoices (overdue_at)
      WHERE status IN ('open', 'partially_paid')`);

    await q.query(`
      CREATE TABLE invoice_payments (
        payment_id    text        NOT NULL,
        invoice_id    uuid        NOT NULL REFERENCES invoices (id),
        currency      char(3)     NOT NULL,
        applied_minor bigint      NOT NULL CHECK (applied_minor > 0),
        applied_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (payment_id, invoice_id)
      )`);
    await q.query(`CREATE INDEX invoice_payments_invoice_idx ON invoice_payments (invoice_id, applied_at)`);

    await q.query(`
      CREATE TABLE allocation_rejections (
        id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        payment_id      text        NOT NULL,
        invoice_id      text        NOT NULL,
        customer_id     text        NOT NULL,
        currency        char(3)     NOT NULL,
        requested_minor bigint      NOT NULL,
        rejected_minor  bigint      NOT NULL CHECK (rejected_minor > 0),
        reason          text        NOT NULL,
        detail          text        NOT NULL,
        rejected_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX allocation_rejections_payment_idx ON allocation_rejections (payment_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE allocation_rejections`);
    await q.query(`DROP TABLE invoice_payments`);
    await q.query(`DROP TABLE invoices`);
    await q.query(`DROP TABLE customer_sources`);
    await q.query(`DROP TABLE customers`);
  }
}
