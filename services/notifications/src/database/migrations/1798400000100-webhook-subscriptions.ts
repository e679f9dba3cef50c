import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions of outside systems and their deliveries: one row per event and
 * subscription, a queue per subscription (pending -> delivering -> delivered, or dead after the
 * last attempt: the subscription's dead-letter list, redelivered on request).
 */
export class WebhookSubscriptions1798400000100 implements MigrationInterface {
  name = 'WebhookSubscriptions1798400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id            uuid        PRIMARY KEY,
        url           text        NOT NULL,
        event_types   text[]      NOT NULL,
        customer_ids  text[]      NOT NULL DEFAULT '{}',
        -- The HMAC key the deliveries are signed with; shown once, when the subscription is created.
        secret        text        NOT NULL,
        description   text        NOT NULL DEFAULT '',
        created_by    text        NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX webhook_subscriptions_types_idx ON webhook_subscriptions USING gin (event_types)`,
    );
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id               uuid        PRIMARY KEY,
        subscription_id  uuid        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        event_id         uuid        NOT NULL,
        event_type       text        NOT NULL,
        customer_id      text        NOT NULL,
        payload          jsonb       NOT NULL,
        status           text        NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
        attempts         int         NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        lease_until      timestamptz,
        last_status      int,
        last_error       text,
        occurred_at      timestamptz NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        delivered_at     timestamptz,
        dead_at          timestamptz,
        UNIQUE (subscription_id, event_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
        WHERE status IN ('pending', 'delivering')`,
    );
    await q.query(
      `CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (subscription_id, dead_at) WHERE status = 'dead'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
