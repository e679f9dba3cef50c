import { Injectable } from '@nestjs/common';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import type { ImportFormat, StatementLine } from './parsing/statement-line';

export type LineStatus = 'unmatched' | 'duplicate' | 'not_candidate';

/** Why a line is not a payment candidate. */
export type NotCandidateReason = 'debit' | 'reversal' | 'not_booked' | 'zero_amount';

export interface LineRow {
  lineNo: number;
  status: LineStatus;
  reason?: NotCandidateReason;
  dedupKey?: string;
  duplicateOf?: string;
  line: StatementLine;
}

export interface StatementSummary {
  id: string;
  format: ImportFormat;
  layout: string | null;
  fileSha256: string;
  sizeBytes: number;
  statements: number;
  accounts: string[];
  lines: number;
  credits: number;
  debits: number;
  candidates: number;
  duplicates: number;
  notCandidates: number;
  importedBy: string;
  importedAt: string;
}

/** A stored line as GET /api/v1/bank-statements/{id} shows it. */
export interface StoredLine {
  lineNo: number;
  status: LineStatus;
  reason: string | null;
  duplicateOf: string | null;
  statementRef: string;
  account: string | null;
  entryIndex: number;
  txIndex: number;
  bookingDate: string | null;
  valueDate: string | null;
  direction: 'credit' | 'debit';
  bookingStatus: string;
  reversal: boolean;
  amount: { amount: string; currency: string };
  payer: { name: string | null; iban: string | null; account: string | null; bic: string | null };
  remittance: string;
  references: {
    creditorReference: string | null;
    qrReference: string | null;
    endToEndId: string | null;
    bankTransactionId: string | null;
    entryRef: string | null;
    mandateId: string | null;
    documentNumbers: string[];
  };
  source: { line: number; column: number | null; path: string | null };
}

const LINE_COLUMNS = [
  'statement_id',
  'line_no',
  'status',
  'reason',
  'dedup_key',
  'duplicate_of',
  'statement_ref',
  'account',
  'account_currency',
  'entry_index',
  'tx_index',
  'booking_date',
  'value_date',
  'direction',
  'booking_status',
  'reversal',
  'amount_minor',
  'currency',
  'payer_name',
  'payer_iban',
  'payer_account',
  'payer_bic',
  'ultimate_payer_name',
  'remittance',
  'bank_text',
  'creditor_reference',
  'qr_reference',
  'end_to_end_id',
  'bank_transaction_id',
  'entry_ref',
  'mandate_id',
  'document_numbers',
  'source_line',
  'source_column',
  'source_path',
] as const;

/** Rows per INSERT: 35 parameters each, well below PostgreSQL's 65,535. */
export const INSERT_BATCH = 500;

function accountOf(line: StatementLine): string | null {
  return line.account.iban ?? line.account.number ?? null;
}

function valuesOf(statementId: string, row: LineRow): unknown[] {
  const { line } = row;
  const refs = line.references;
  return [
    statementId,
    row.lineNo,
    row.status,
    row.reason ?? null,
    row.dedupKey ?? null,
    row.duplicateOf ?? null,
    line.statementId,
    accountOf(line),
    line.account.currency ?? null,
    line.entryIndex,
    line.txIndex,
    line.bookingDate,
    line.valueDate,
    line.direction,
    line.bookingStatus,
    line.reversal,
    line.amount.minor.toString(),
    line.amount.currency,
    line.counterparty.name ?? null,
    line.counterparty.iban ?? null,
    line.counterparty.account ?? null,
    line.counterparty.bic ?? null,
    line.counterparty.ultimateName ?? null,
    line.remittance,
    line.bankText ?? null,
    refs.creditorReference ?? null,
    refs.qrReference ?? null,
    refs.endToEndId ?? null,
    refs.bankTransactionId ?? null,
    refs.entryRef ?? null,
    refs.mandateId ?? null,
    refs.documentNumbers ?? null,
    line.position.line,
    line.position.column ?? null,
    line.position.path ?? null,
  ];
}

interface LineDbRow {
  line_no: number;
  status: LineStatus;
  reason: string | null;
  duplicate_of: string | null;
  statement_ref: string;
  account: string | null;
  entry_index: number;
  tx_index: number;
  booking_date: string | null;
  value_date: string | null;
  direction: 'credit' | 'debit';
  booking_status: string;
  reversal: boolean;
  amount_minor: string;
  currency: string;
  payer_name: string | null;
  payer_iban: string | null;
  payer_account: string | null;
  payer_bic: string | null;
  remittance: string;
  creditor_reference: string | null;
  qr_reference: string | null;
  end_to_end_id: string | null;
  bank_transaction_id: string | null;
  entry_ref: string | null;
  mandate_id: string | null;
  document_numbers: string[] | null;
  source_line: number;
  source_column: number | null;
  source_path: string | null;
}

function toStoredLine(row: LineDbRow): StoredLine {
  return {
    lineNo: row.line_no,
    status: row.status,
    reason: row.reason,
    duplicateOf: row.duplicate_of,
    statementRef: row.statement_ref,
    account: row.account,
    entryIndex: row.entry_index,
    txIndex: row.tx_index,
    bookingDate: row.booking_date,
    valueDate: row.value_date,
    direction: row.direction,
    bookingStatus: row.booking_status,
    reversal: row.reversal,
    amount: Money.fromMinor(BigInt(row.amount_minor), row.currency.trim()).toJSON(),
    payer: { name: row.payer_name, iban: row.payer_iban, account: row.payer_account, bic: row.payer_bic },
    remittance: row.remittance,
    references: {
      creditorReference: row.creditor_reference,
      qrReference: row.qr_reference,
      endToEndId: row.end_to_end_id,
      bankTransactionId: row.bank_transaction_id,
      entryRef: row.entry_ref,
      mandateId: row.mandate_id,
      documentNumbers: row.document_numbers ?? [],
    },
    source: { line: row.source_line, column: row.source_column, path: row.source_path },
  };
}

/** bank_statements and bank_statement_lines, in explicit SQL like the payments repository. */
@Injectable()
export class BankStatementRepository {
  /**
   * Imports one at a time: a statement and its re-upload must not both see the other as absent.
   * Held to the end of the import's transaction.
   */
  async lockImports(em: EntityManager): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('duemap.bank-statement-import'))`);
  }

  /** The statement row first (the lines reference it); its counts are written at the end. */
  async insertStatement(em: EntityManager, id: string, importedBy: string): Promise<void> {
    await em.query(
      `INSERT INTO bank_statements (id, format, file_sha256, size_bytes, statements, accounts, lines, credits,
         debits, candidates, duplicates, not_candidates, imported_by)
       VALUES ($1, 'csv', repeat('0', 64), 0, 0, '{}', 0, 0, 0, 0, 0, 0, $2)`,
      [id, importedBy],
    );
  }

  async completeStatement(
    em: EntityManager,
    summary: Omit<StatementSummary, 'importedBy' | 'importedAt'>,
  ): Promise<void> {
    await em.query(
      `UPDATE bank_statements SET format = $2, layout = $3, file_sha256 = $4, size_bytes = $5, statements = $6,
         accounts = $7, lines = $8, credits = $9, debits = $10, candidates = $11, duplicates = $12,
         not_candidates = $13
       WHERE id = $1`,
      [
        summary.id,
        summary.format,
        summary.layout,
        summary.fileSha256,
        summary.sizeBytes,
        summary.statements,
        summary.accounts,
        summary.lines,
        summary.credits,
        summary.debits,
        summary.candidates,
        summary.duplicates,
        summary.notCandidates,
      ],
    );
  }

  /** Which of these keys earlier imports already hold as credits, and in which statement. */
  async existingKeys(
    em: EntityManager,
    keys: readonly string[],
    exceptStatement: string,
  ): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows: { dedup_key: string; statement_id: string }[] = await em.query(
      `SELECT DISTINCT ON (dedup_key) dedup_key, statement_id FROM bank_statement_lines
       WHERE dedup_key = ANY($1::text[]) AND statement_id <> $2
       ORDER BY dedup_key, statement_id`,
      [keys, exceptStatement],
    );
    return new Map(rows.map((r) => [r.dedup_key, r.statement_id]));
  }

  async insertLines(em: EntityManager, statementId: string, rows: readonly LineRow[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const values = valuesOf(statementId, row);
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    await em.query(
      `INSERT INTO bank_statement_lines (${LINE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }

  /** An earlier import of the very same bytes. */
  async findByHash(em: EntityManager, sha256: string, exceptStatement: string): Promise<string | undefined> {
    const rows: { id: string }[] = await em.query(
      `SELECT id FROM bank_statements WHERE file_sha256 = $1 AND id <> $2 ORDER BY imported_at LIMIT 1`,
      [sha256, exceptStatement],
    );
    return rows[0]?.id;
  }

  async findSummary(em: EntityManager, id: string): Promise<StatementSummary | undefined> {
    const rows: {
      id: string;
      format: ImportFormat;
      layout: string | null;
      file_sha256: string;
      size_bytes: string;
      statements: number;
      accounts: string[];
      lines: number;
      credits: number;
      debits: number;
      candidates: number;
      duplicates: number;
      not_candidates: number;
      imported_by: string;
      imported_at: Date;
    }[] = await em.query(`SELECT * FROM bank_statements WHERE id = $1`, [id]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      format: row.format,
      layout: row.layout,
      fileSha256: row.file_sha256,
      sizeBytes: Number(row.size_bytes),
      statements: row.statements,
      accounts: row.accounts,
      lines: row.lines,
      credits: row.credits,
      debits: row.debits,
      candidates: row.candidates,
      duplicates: row.duplicates,
      notCandidates: row.not_candidates,
      importedBy: row.imported_by,
      importedAt: row.imported_at.toISOString(),
    };
  }

  /** A page of lines in file order, after `afterLineNo`; one more is read to tell whether more follow. */
  async findLines(
    em: EntityManager,
    id: string,
    afterLineNo: number,
    limit: number,
  ): Promise<{ lines: StoredLine[]; more: boolean }> {
    const rows: LineDbRow[] = await em.query(
      `SELECT line_no, status, reason, duplicate_of, statement_ref, account, entry_index, tx_index,
              to_char(booking_date, 'YYYY-MM-DD') AS booking_date, to_char(value_date, 'YYYY-MM-DD') AS value_date,
              direction, booking_status, reversal, amount_minor::text AS amount_minor, currency, payer_name,
              payer_iban, payer_account, payer_bic, remittance, creditor_reference, qr_reference, end_to_end_id,
              bank_transaction_id, entry_ref, mandate_id, document_numbers, source_line, source_column, source_path
       FROM bank_statement_lines WHERE statement_id = $1 AND line_no > $2 ORDER BY line_no LIMIT $3`,
      [id, afterLineNo, limit + 1],
    );
    return { lines: rows.slice(0, limit).map(toStoredLine), more: rows.length > limit };
  }
}
