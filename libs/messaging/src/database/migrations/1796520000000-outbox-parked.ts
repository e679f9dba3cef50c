import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where the relay puts an outbox row that Kafka can never take (larger than the broker accepts,
 * a topic the cluster does not have), so it stops holding back the rows behind it. Same columns
 * as the outbox, plus when and why: an operator can move a row back once the cause is fixed.
 */
export class OutboxParked1796520000000 implements MigrationInterface {
  name = 'OutboxParked1796520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_parked (
        id           bigint      PRIMARY KEY,
        event_id     uuid        NOT NULL,
        topic        text        NOT NULL,
        message_key  text        NOT NULL,
        event_type   text        NOT NULL,
        payload      bytea       NOT NULL,
        headers      jsonb       NOT NULL,
        shard        smallint    NOT NULL,
        created_at   timestamptz NOT NULL,
        parked_at    timestamptz NOT NULL DEFAULT now(),
        reason       text        NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_parked`);
  }
}
