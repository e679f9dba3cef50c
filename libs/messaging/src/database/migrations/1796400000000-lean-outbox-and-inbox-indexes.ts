import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer index writes per event. The outbox's event ids are random UUIDs made by the writer, so a
 * unique index on them checked nothing and cost a B-tree insert on a random page per event (and
 * its clean-up after the relay deleted the row). The inbox is written in time order, so a BRIN
 * index finds old rows by `processed_at` for a purge at almost no cost per insert, where the
 * B-tree took an entry per consumed event.
 */
export class LeanOutboxAndInboxIndexes1796400000000 implements MigrationInterface {
  name = 'LeanOutboxAndInboxIndexes1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_event_id_key`);
    await q.query(`DROP INDEX inbox_processed_at_idx`);
    await q.query(`CREATE INDEX inbox_processed_at_idx ON inbox USING brin (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX inbox_processed_at_idx`);
    await q.query(`CREATE INDEX inbox_processed_at_idx ON inbox (processed_at)`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_event_id_key UNIQUE (event_id)`);
  }
}
