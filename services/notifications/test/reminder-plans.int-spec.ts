import { createTestDatabase, migrate, type TestDatabase } from '@duemap/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';

/**
 * Query plans of the hot path on a table the planner has no statistics for yet (a table that grew
 * fast since the last ANALYZE, as under the benchmark): cancelling one invoice's reminders must
 * not read every scheduled reminder.
 */
describe('reminder query plans', () => {
  let database: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('notifications_plans');
    await migrate(dataSourceOptions(database.url));
    ds = new DataSource(dataSourceOptions(database.url));
    await ds.initialize();
    // 9 000 scheduled reminders sharing five due dates (month ends), no ANALYZE.
    await ds.query(
      `INSERT INTO reminders (id, offset_days, scheduled_for, created_at, updated_at, level, invoice_id,
                              customer_id, policy_id, channel, status)
       SELECT gen_random_uuid(), 0, date '2026-12-31' + (g % 5) * interval '7 days', now(), now(), g % 5,
              'inv-' || (g / 5), 'cust-' || (g / 5), 'default', 'email', 'scheduled'
         FROM generate_series(0, 8999) g`,
    );
  });

  afterAll(async () => {
    await ds?.destroy();
    await database?.drop();
  });

  it("cancels an invoice's scheduled reminders through an index of that invoice's rows only", async () => {
    const plan = (
      await ds.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN (ANALYZE, FORMAT TEXT)
         UPDATE reminders SET status = 'cancelled', reason = 'paid', cancelled_at = now(), updated_at = now()
          WHERE invoice_id = $1 AND status = 'scheduled' RETURNING id`,
        ['inv-77'],
      )
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain('reminders_scheduled_of_invoice_idx');
    expect(plan).not.toContain('reminders_pending_idx');
    expect(plan).toMatch(/rows=5 loops=1\)\n/);
  });
});
