import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (services/gateway/src/audit): append-only by trigger, and hash-chained. seq is
 * assigned by the writer under the chain head's row lock, not by a sequence, so rows are numbered
 * without gaps (a sequence skips the numbers of a rolled-back batch) and a removed row shows as a
 * missing number as well as a broken link.
 */
export class CreateAuditLog1797000500000 implements MigrationInterface {
  name = 'CreateAuditLog1797000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS audit_log (
        seq        bigint      PRIMARY KEY CHECK (seq > 0),
        at         timestamptz NOT NULL,
        subject    text        NOT NULL,
        kind       text        NOT NULL,
        key_id     text,
        roles      text[]      NOT NULL,
        method     text        NOT NULL,
        operation  text,
        resource   jsonb       NOT NULL,
        status     int         NOT NULL,
        address    text,
        user_agent text,
        trace_id   text,
        prev_hash  text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash       text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);
    // The admin query filters by these, newest first.
    await q.query(`CREATE INDEX IF NOT EXISTS audit_log_subject_idx ON audit_log (subject, seq)`);
    await q.query(`CREATE INDEX IF NOT EXISTS audit_log_operation_idx ON audit_log (operation, seq)`);
    await q.query(`CREATE INDEX IF NOT EXISTS audit_log_at_idx ON audit_log (at)`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS audit_log_resource_idx ON audit_log USING gin (resource jsonb_path_ops)`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log`);
    await q.query(`
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    // One row: the last seq and hash. Writers lock it, so batches from several gateways chain in
    // turn; verify compares it with the last row, so rows cut off the end are noticed.
    await q.query(`
      CREATE TABLE IF NOT EXISTS audit_chain_head (
        id   boolean PRIMARY KEY DEFAULT true CHECK (id),
        seq  bigint  NOT NULL,
        hash text    NOT NULL
      )`);
    await q.query(`
      INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64))
      ON CONFLICT (id) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_chain_head`);
    await q.query(`DROP TABLE IF EXISTS audit_log`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_append_only()`);
  }
}
