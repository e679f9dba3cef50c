import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReminders1763900000500 implements MigrationInterface {
  name = 'CreateReminders1763900000500';

  async up(q: QueryRunner): Promise<void> {
    // Read model of customers.customer-upserted: only what reminders need.
    await q.query(`
      CREATE TABLE customers (
        customer_id  text        PRIMARY KEY,
        name         text        NOT NULL,
        time_zone    text        NOT NULL,
        locale       text        NOT NULL,
        tier         text        NOT NULL CHECK (tier IN ('standard', 'vip')),
        occurred_at  timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // Projection of invoicing's invoices: the state reminders are planned from and checked against.
    await q.query(`
      CREATE TABLE invoices (
        invoice_id   text        PRIMARY KEY,
        customer_id  text        NOT NULL,
        number       text        NOT NULL,
        kind         text        NOT NULL CHECK (kind IN ('invoice', 'credit_note', 'unknown')),
        status       text        NOT NULL
                     CHECK (status IN ('open', 'partially_paid', 'paid', 'overdue', 'void', 'unknown')),
        due_date     date,
        open_minor   bigint,
        currency     char(3),
        occurred_at  timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX invoices_customer_idx ON invoices (customer_id)`);
    await q.query(`
      CREATE TABLE reminders (
        id                  uuid        PRIMARY KEY,
        invoice_id          text        NOT NULL,
        customer_id         text        NOT NULL,
        policy_id           text        NOT NULL,
        level               int         NOT NULL,
        offset_days         int         NOT NULL,
        scheduled_for       timestamptz NOT NULL,
        status              text        NOT NULL CHECK (status IN ('scheduled', 'sent', 'cancelled', 'skipped')),
        channel             text        NOT NULL CHECK (channel IN ('email')),
        reason              text,
        sent_at             timestamptz,
        cancelled_at        timestamptz,
        channel_message_id  text,
        -- The scheduled_for of the BullMQ job known to be in Redis; the reconciler (re-)adds a job
        -- wherever it differs from scheduled_for (a crash between commit and queue.add).
        job_enqueued_for    timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX reminders_invoice_idx ON reminders (invoice_id, scheduled_for)`);
    await q.query(`CREATE INDEX reminders_customer_idx ON reminders (customer_id, scheduled_for)`);
    await q.query(
      `CREATE INDEX reminders_pending_idx ON reminders (scheduled_for) WHERE status = 'scheduled'`,
    );
    // What the reconciler looks for: scheduled reminders whose job is not known to be in Redis.
    await q.query(`
      CREATE INDEX reminders_job_missing_idx ON reminders (scheduled_for)
      WHERE status = 'scheduled' AND job_enqueued_for IS DISTINCT FROM scheduled_for`);
    // At most one reminder per invoice and level that is not cancelled: a second plan of the
    // same invoice (a replayed or concurrent event) cannot schedule a level twice.
    await q.query(
      `CREATE UNIQUE INDEX reminders_one_per_level ON reminders (invoice_id, level) WHERE status <> 'cancelled'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reminders`);
    await q.query(`DROP TABLE invoices`);
    await q.query(`DROP TABLE customers`);
  }
}
