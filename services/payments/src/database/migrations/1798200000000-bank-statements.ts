import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bank statement imports (POST /api/v1/bank-statements): one bank_statements row per uploaded file
 * and one bank_statement_lines row per transaction in it. Credits that are booked, not reversals
 * and not seen before are payment candidates (status 'unmatched') for cash application; the rest
 * are kept for the record ('duplicate', 'not_candidate'). dedup_key says how a line is recognised
 * when a statement is uploaded again: bank transaction id, end-to-end id, or account + statement
 * + entry reference (bank-statement-import.ts, dedupKeyOf).
 */
export class BankStatements1798200000000 implements MigrationInterface {
  name = 'BankStatements1798200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS bank_statements (
        id             uuid        PRIMARY KEY,
        format         text        NOT NULL CHECK (format IN ('camt053', 'camt054', 'mt940', 'csv')),
        layout         text,
        file_sha256    char(64)    NOT NULL,
        size_bytes     bigint      NOT NULL,
        statements     integer     NOT NULL,
        accounts       text[]      NOT NULL,
        lines          integer     NOT NULL,
        credits        integer     NOT NULL,
        debits         integer     NOT NULL,
        candidates     integer     NOT NULL,
        duplicates     integer     NOT NULL,
        not_candidates integer     NOT NULL,
        imported_by    text        NOT NULL,
        imported_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX IF NOT EXISTS bank_statements_sha_idx ON bank_statements (file_sha256)`);
    await q.query(`
      CREATE TABLE IF NOT EXISTS bank_statement_lines (
        statement_id        uuid        NOT NULL REFERENCES bank_statements (id) ON DELETE CASCADE,
        line_no             integer     NOT NULL,
        status              text        NOT NULL CHECK (status IN ('unmatched', 'duplicate', 'not_candidate')),
        reason              text,
        dedup_key           text,
        duplicate_of        uuid,
        statement_ref       text        NOT NULL,
        account             text,
        account_currency    char(3),
        entry_index         integer     NOT NULL,
        tx_index            integer     NOT NULL,
        booking_date        date,
        value_date          date,
        direction           text        NOT NULL CHECK (direction IN ('credit', 'debit')),
        booking_status      text        NOT NULL CHECK (booking_status IN ('booked', 'pending', 'info')),
        reversal            boolean     NOT NULL,
        amount_minor        bigint      NOT NULL CHECK (amount_minor >= 0),
        currency            char(3)     NOT NULL,
        payer_name          text,
        payer_iban          text,
        payer_account       text,
        payer_bic           text,
        ultimate_payer_name text,
        remittance          text        NOT NULL,
        bank_text           text,
        creditor_reference  text,
        qr_reference        text,
        end_to_end_id       text,
        bank_transaction_id text,
        entry_ref           text,
        mandate_id          text,
        document_numbers    text[],
        source_line         integer     NOT NULL,
        source_column       integer,
        source_path         text,
        PRIMARY KEY (statement_id, line_no)
      )`);
    // Duplicate look-ups of a new import, and the candidates cash application works through.
    await q.query(
      `CREATE INDEX IF NOT EXISTS bank_statement_lines_dedup_idx ON bank_statement_lines (dedup_key)
       WHERE dedup_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX IF NOT EXISTS bank_statement_lines_unmatched_idx ON bank_statement_lines (statement_id, line_no)
       WHERE status = 'unmatched'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bank_statement_lines`);
    await q.query(`DROP TABLE bank_statements`);
  }
}
