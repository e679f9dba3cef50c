import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reminders that reach people: the customers' contacts (where an email or SMS goes), the SMS the
 * development adapter records instead of sending, and the delivery log — one row per reminder
 * handed to a channel, with its attempts, status and the provider's last answer. Reminders may now
 * go out by SMS or webhook too, as the policy's step says.
 */
export class Deliveries1798400000000 implements MigrationInterface {
  name = 'Deliveries1798400000000';

  async up(q: QueryRunner): Promise<void> {
    // Projection of customer-upserted's contacts (personal data: only what sending needs).
    await q.query(`
      CREATE TABLE customer_contacts (
        customer_id  text        PRIMARY KEY,
        contacts     jsonb       NOT NULL,
        version      bigint      NOT NULL DEFAULT 0,
        occurred_at  timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sms_messages (
        id           uuid        PRIMARY KEY,
        reminder_id  uuid        NOT NULL,
        phone        text        NOT NULL,
        text         text        NOT NULL,
        adapter      text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sms_messages_reminder_idx ON sms_messages (reminder_id)`);
    await q.query(`
      CREATE TABLE deliveries (
        id                   uuid        PRIMARY KEY,
        reminder_id          uuid        NOT NULL UNIQUE,
        invoice_id           text        NOT NULL,
        customer_id          text        NOT NULL,
        level                int         NOT NULL,
        channel              text        NOT NULL,
        recipient            text,
        status               text        NOT NULL
                             CHECK (status IN ('sending', 'retrying', 'sent', 'failed', 'unconfirmed')),
        attempts             int         NOT NULL DEFAULT 0,
        provider_message_id  text,
        provider_response    text,
        error                text,
        next_attempt_at      timestamptz,
        first_attempt_at     timestamptz NOT NULL,
        last_attempt_at      timestamptz NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deliveries_invoice_idx ON deliveries (invoice_id, first_attempt_at)`);
    await q.query(`CREATE INDEX deliveries_customer_idx ON deliveries (customer_id, first_attempt_at)`);
    await q.query(`CREATE INDEX deliveries_status_idx ON deliveries (status, first_attempt_at)`);
    await q.query(`
      ALTER TABLE reminders
        DROP CONSTRAINT reminders_channel_check,
        ADD CONSTRAINT reminders_channel_check CHECK (channel IN ('email', 'sms', 'webhook'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE reminders
        DROP CONSTRAINT reminders_channel_check,
        ADD CONSTRAINT reminders_channel_check CHECK (channel IN ('email'))`);
    await q.query(`DROP TABLE deliveries`);
    await q.query(`DROP TABLE sms_messages`);
    await q.query(`DROP TABLE customer_contacts`);
  }
}
