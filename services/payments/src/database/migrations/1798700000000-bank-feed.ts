import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bank feed (Kafka topic bank.payments.v1): each consumer transaction's records are stored as
 * one bank_statements row of format 'feed' (imported_by 'bank.payments.v1') with its lines, so they
 * are deduplicated and cash-applied exactly like an uploaded statement's.
 */
export class BankFeed1798700000000 implements MigrationInterface {
  name = 'BankFeed1798700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_statements DROP CONSTRAINT IF EXISTS bank_statements_format_check`);
    await q.query(
      `ALTER TABLE bank_statements ADD CONSTRAINT bank_statements_format_check
         CHECK (format IN ('camt053', 'camt054', 'mt940', 'csv', 'feed'))`,
    );
  }

  /** Refused while feed imports exist: their lines may have become payments, so they are not dropped here. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_statements DROP CONSTRAINT IF EXISTS bank_statements_format_check`);
    await q.query(
      `ALTER TABLE bank_statements ADD CONSTRAINT bank_statements_format_check
         CHECK (format IN ('camt053', 'camt054', 'mt940', 'csv'))`,
    );
  }
}
