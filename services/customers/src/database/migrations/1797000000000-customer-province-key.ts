import { provinceKey } from '@duemap/auth';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const BATCH = 1000;

/**
 * Collector territories name provinces as `CN/广东省`, compared by `provinceKey` (suffix, width and
 * case folded), which SQL cannot compute the same way: each customer keeps its key beside the
 * province, written with it (CustomerRecords.writeMaster), so a territory is one indexed predicate.
 */
export class CustomerProvinceKey1797000000000 implements MigrationInterface {
  name = 'CustomerProvinceKey1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers ADD COLUMN IF NOT EXISTS province_key text NOT NULL DEFAULT ''`);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = (await q.query(
        `SELECT id, country, province FROM customers WHERE id > $1 AND province IS NOT NULL ORDER BY id LIMIT ${BATCH}`,
        [after],
      )) as { id: string; country: string | null; province: string }[];
      if (rows.length === 0) break;
      await q.query(
        `UPDATE customers c SET province_key = u.key
           FROM unnest($1::uuid[], $2::text[]) AS u(id, key) WHERE c.id = u.id`,
        [rows.map((r) => r.id), rows.map((r) => provinceKey(r.country ?? '', r.province))],
      );
      after = rows[rows.length - 1]?.id ?? after;
    }
    await q.query(`CREATE INDEX IF NOT EXISTS customers_province_key ON customers (province_key)`);
    await q.query(`CREATE INDEX IF NOT EXISTS customers_sales_territory ON customers (sales_territory)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS customers_sales_territory`);
    await q.query(`DROP INDEX IF EXISTS customers_province_key`);
    await q.query(`ALTER TABLE customers DROP COLUMN province_key`);
  }
}
