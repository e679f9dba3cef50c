import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox becomes a queue: the relay deletes the rows it publishes (Kafka keeps the events), so
 * the columns and the index that tracked published rows go, and the pending index covers every
 * row. Rows already published are deleted here; pending ones stay and are published as before.
 */
export class OutboxDeletesPublishedRows1796300000000 implements MigrationInterface {
  name = 'OutboxDeletesPublishedRows1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM outbox WHERE published_at IS NOT NULL`);
    await q.query(`DROP INDEX outbox_published_at_idx`);
    await q.query(`DROP INDEX outbox_pending_idx`);
    await q.query(
      `ALTER TABLE outbox DROP COLUMN published_at, DROP COLUMN attempts, DROP COLUMN last_error`,
    );
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (shard, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_pending_idx`);
    await q.query(`
      ALTER TABLE outbox
        ADD COLUMN published_at timestamptz,
        ADD COLUMN attempts int NOT NULL DEFAULT 0,
        ADD COLUMN last_error text`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (shard, id) WHERE published_at IS NULL`);
    await q.query(
      `CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL`,
    );
  }
}
