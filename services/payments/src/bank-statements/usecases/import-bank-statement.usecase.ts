import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BankStatementErrorCode, BankStatementException } from '../bank-statement.exception';
import {
  BankStatementRepository,
  INSERT_BATCH,
  type LineRow,
  type NotCandidateReason,
} from '../bank-statement.repository';
import { openStatement } from '../parsing/parse-statement';
import type {
  ByteSource,
  StatementFormat,
  StatementLine,
  StatementProgress,
} from '../parsing/statement-line';
import { StatementParseError } from '../parsing/statement-parse.error';
import { chunkBytes } from '../parsing/values';

export interface ImportRequest {
  format?: StatementFormat;
  layout?: string;
  /** Content-Length when the client sent one: for progress, and refused at once when over the limit. */
  declaredBytes?: number;
  maxBytes: number;
  importedBy: string;
  onProgress?: (progress: StatementProgress) => void;
}

export interface ImportResult {
  /** False when nothing new was stored: the same file, or only lines imported before. */
  stored: boolean;
  /** The new import's id, or when nothing was stored the earlier import the lines belong to. */
  id: string;
  format: StatementFormat;
  layout: string | null;
  statements: number;
  accounts: string[];
  lines: number;
  credits: number;
  debits: number;
  /** New credit lines recorded as payment candidates (status unmatched). */
  candidates: number;
  /** Credit lines recognised from an earlier import. */
  duplicates: number;
  /** Debits, reversals, credits not booked (camt INFO/PDNG) and zero amounts. */
  notCandidates: number;
  sizeBytes: number;
}

/**
 * How a credit line is recognised when it arrives again: the bank's transaction id, else the
 * end-to-end id, else account + statement + entry reference — each with the account, and the ids
 * with the amount, since banks reuse ids across accounts and a different amount is another payment.
 */
export function dedupKeyOf(line: StatementLine): string {
  const account = line.account.iban ?? line.account.number ?? '-';
  const money = `${line.amount.minor.toString()}${line.amount.currency}`;
  const refs = line.references;
  if (refs.bankTransactionId) return `btx|${account}|${refs.bankTransactionId}|${money}`;
  if (refs.endToEndId) return `e2e|${account}|${refs.endToEndId}|${money}`;
  return `entry|${account}|${line.statementId}|${refs.entryRef ?? `#${line.entryIndex}`}|${line.txIndex}`;
}

/** Why a line is no payment candidate, or undefined when it is one. */
export function notCandidateReason(line: StatementLine): NotCandidateReason | undefined {
  if (line.direction === 'debit') return 'debit';
  if (line.reversal) return 'reversal';
  if (line.bookingStatus !== 'booked') return 'not_booked';
  if (line.amount.isZero()) return 'zero_amount';
  return undefined;
}

/** The body, counted and hashed as it streams; over the limit it stops with 413. */
async function* metered(
  source: ByteSource,
  maxBytes: number,
  seen: { bytes: number; hash: ReturnType<typeof createHash> },
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const bytes = chunkBytes(chunk);
    seen.bytes += bytes.length;
    if (seen.bytes > maxBytes) {
      throw new BankStatementException(
        BankStatementErrorCode.TooLarge,
        `the statement is larger than ${maxBytes} bytes`,
        'body',
      );
    }
    seen.hash.update(bytes);
    yield bytes;
  }
}

/**
 * POST /api/v1/bank-statements: streams the file through its parser into bank_statement_lines in
 * one transaction, batch by batch, and commits only when the whole file has parsed: a file that
 * fails at its last line leaves nothing behind. New credit lines are stored as payment candidates
 * ('unmatched'), which cash application (CashApplicationWorker) turns into payments once the file
 * has committed; a re-upload (the same bytes, or only lines seen
 * before) stores nothing and reports the duplicates.
 */
@Injectable()
export class ImportBankStatementUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: BankStatementRepository,
  ) {}

  async execute(source: ByteSource, request: ImportRequest): Promise<ImportResult> {
    if (request.declaredBytes !== undefined && request.declaredBytes > request.maxBytes) {
      throw new BankStatementException(
        BankStatementErrorCode.TooLarge,
        `the statement is larger than ${request.maxBytes} bytes`,
        'body',
      );
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await this.importInto(runner.manager, source, request);
      if (result.stored) await runner.commitTransaction();
      else await runner.rollbackTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      if (err instanceof StatementParseError) throw BankStatementException.ofParse(err);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async importInto(
    em: EntityManager,
    source: ByteSource,
    request: ImportRequest,
  ): Promise<ImportResult> {
    await this.repository.lockImports(em);
    const id = randomUUID();
    await this.repository.insertStatement(em, id, request.importedBy);
    const seen = { bytes: 0, hash: createHash('sha256') };
    const parsed = await openStatement(metered(source, request.maxBytes, seen), {
      format: request.format,
      layout: request.layout,
      totalBytes: request.declaredBytes,
      onProgress: request.onProgress,
    });

    const statements = new Set<string>();
    const accounts = new Set<string>();
    const counts = { lines: 0, credits: 0, debits: 0, candidates: 0, duplicates: 0, notCandidates: 0 };
    /** The earlier import most duplicates point at, for the answer when nothing is new. */
    let duplicateOf: string | undefined;
    let batch: LineRow[] = [];

    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const keys = batch.flatMap((row) => (row.dedupKey ? [row.dedupKey] : []));
      const existing = await this.repository.existingKeys(em, keys, id);
      for (const row of batch) {
        if (!row.dedupKey) continue;
        const earlier = existing.get(row.dedupKey);
        if (earlier) {
          row.status = 'duplicate';
          row.duplicateOf = earlier;
          duplicateOf ??= earlier;
          counts.duplicates += 1;
        } else {
          counts.candidates += 1;
        }
      }
      await this.repository.insertLines(em, id, batch);
      batch = [];
    };

    for await (const line of parsed.lines) {
      counts.lines += 1;
      statements.add(line.statementId);
      const account = line.account.iban ?? line.account.number;
      if (account && accounts.size < 1000) accounts.add(account);
      if (line.direction === 'credit') counts.credits += 1;
      else counts.debits += 1;
      const reason = notCandidateReason(line);
      if (reason) {
        counts.notCandidates += 1;
        batch.push({ lineNo: counts.lines, status: 'not_candidate', reason, line });
      } else {
        batch.push({ lineNo: counts.lines, status: 'unmatched', dedupKey: dedupKeyOf(line), line });
      }
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();

    const fileSha256 = seen.hash.digest('hex');
    const sameFile = await this.repository.findByHash(em, fileSha256, id);
    const summary = {
      id,
      format: parsed.format,
      layout: parsed.layout ?? null,
      fileSha256,
      sizeBytes: seen.bytes,
      statements: statements.size,
      accounts: [...accounts],
      ...counts,
    };
    if (sameFile !== undefined || (counts.candidates === 0 && counts.duplicates > 0)) {
      // Nothing new: the transaction is rolled back; the answer points at what was there before.
      return { ...summary, stored: false, id: sameFile ?? duplicateOf ?? id };
    }
    await this.repository.completeStatement(em, summary);
    return { ...summary, stored: true };
  }
}
