import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cancelling an invoice's reminders (`WHERE invoice_id = $1 AND status = 'scheduled'`) must read
 * that invoice's rows only. With the two existing indexes the planner may AND the invoice index
 * with the whole partial index of scheduled reminders — every scheduled reminder read for one
 * invoice, which under load was most of Postgres's CPU. This index answers the query alone.
 */
export class IndexScheduledRemindersOfInvoice1795500000000 implements MigrationInterface {
  name = 'IndexScheduledRemindersOfInvoice1795500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX reminders_scheduled_of_invoice_idx ON reminders (invoice_id) WHERE status = 'scheduled'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reminders_scheduled_of_invoice_idx`);
  }
}
