import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reminder is sent in three steps (claim, send outside any transaction, record): `sending` is a
 * claimed reminder whose outcome is not recorded yet, `unconfirmed` one whose claim expired without
 * an outcome on a channel that cannot be asked twice. attempt_id names the claim, so only the
 * attempt that claimed a reminder records its outcome; claimed_at tells when a claim expired.
 */
export class ClaimReminderSends1795700000400 implements MigrationInterface {
  name = 'ClaimReminderSends1795700000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE reminders
        ADD COLUMN attempt_id uuid,
        ADD COLUMN claimed_at timestamptz,
        DROP CONSTRAINT reminders_status_check,
        ADD CONSTRAINT reminders_status_check
          CHECK (status IN ('scheduled', 'sending', 'sent', 'unconfirmed', 'cancelled', 'skipped'))`);
    // What the reconciler looks for: claims that expired (their worker died, their job may be gone).
    await q.query(`CREATE INDEX reminders_sending_idx ON reminders (claimed_at) WHERE status = 'sending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reminders_sending_idx`);
    await q.query(`
      ALTER TABLE reminders
        DROP CONSTRAINT reminders_status_check,
        ADD CONSTRAINT reminders_status_check
          CHECK (status IN ('scheduled', 'sent', 'cancelled', 'skipped')),
        DROP COLUMN claimed_at,
        DROP COLUMN attempt_id`);
  }
}
