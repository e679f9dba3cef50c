import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk intake from ERPs (issue 20): the source's version of each invoice, so that an older update
 * (a replayed export, a record overtaken on erp.invoices.v1) never overwrites a newer one. Null for
 * invoices whose source gave none (the REST upsert without sourceVersion); a nullable column with
 * no default is a catalogue-only change, so this does not rewrite the table.
 */
export class InvoiceSourceVersion1798700000000 implements MigrationInterface {
  name = 'InvoiceSourceVersion1798700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices ADD COLUMN source_version bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invoices DROP COLUMN source_version`);
  }
}
