import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  BankStatementRepository,
  INSERT_BATCH,
  type LineRow,
} from '../../bank-statements/bank-statement.repository';
import { dedupKeyOf, notCandidateReason } from '../../bank-statements/usecases/import-bank-statement.usecase';
import { statementLineOf, type FeedRecord } from '../bank-payment-line';

/** Who imported a feed statement (bank_statements.imported_by): the topic, as uploads name a user. */
export const FEED_IMPORTER = 'bank.payments.v1';

export interface FeedOutcome {
  /** The bank_statements row the records were stored under. */
  statementId: string;
  /** New booked credits, waiting for cash application ('unmatched'). */
  candidates: number;
  /** Credits recognised from an earlier import or an earlier record of this batch. */
  duplicates: number;
  /** Debits, reversals, entries not booked, zero amounts. */
  notCandidates: number;
}

/**
 * Stores the records of bank.payments.v1 one consumer transaction applies as one bank statement of
 * format 'feed', line for line as an upload would (BankStatementRepository's SQL, dedupKeyOf,
 * notCandidateReason), inside the consumer's transaction: the lines commit with the records' inbox
 * rows, and CashApplicationWorker turns the credits into payments as it does an upload's. A credit
 * recognised from before — by an earlier import, or earlier in this very batch — is kept as
 * 'duplicate' pointing at the statement that has it, so the same transfer sent twice is one
 * candidate and one payment.
 */
@Injectable()
export class IngestBankPaymentsUseCase {
  constructor(private readonly repository: BankStatementRepository) {}

  async execute(em: EntityManager, records: readonly FeedRecord[]): Promise<FeedOutcome> {
    // Every record is read first: one that cannot be booked fails the batch before anything is
    // written, and the consumer's replay dead-letters it alone.
    const lines = records.map((record, i) => statementLineOf(record, i + 1));

    // The same lock as an upload's: a feed batch and an upload (or another instance's batch) must
    // not both find a transaction absent and both make it a candidate.
    await this.repository.lockImports(em);
    const id = randomUUID();
    await this.repository.insertStatement(em, id, FEED_IMPORTER);

    const rows: LineRow[] = lines.map((line, i) => {
      const reason = notCandidateReason(line);
      return reason
        ? { lineNo: i + 1, status: 'not_candidate', reason, line }
        : { lineNo: i + 1, status: 'unmatched', dedupKey: dedupKeyOf(line), line };
    });
    const keys = [...new Set(rows.flatMap((row) => (row.dedupKey ? [row.dedupKey] : [])))];
    const earlier = await this.repository.existingKeys(em, keys, id);
    const here = new Set<string>();
    const outcome: FeedOutcome = { statementId: id, candidates: 0, duplicates: 0, notCandidates: 0 };
    for (const row of rows) {
      if (!row.dedupKey) {
        outcome.notCandidates += 1;
        continue;
      }
      const duplicateOf = earlier.get(row.dedupKey) ?? (here.has(row.dedupKey) ? id : undefined);
      if (duplicateOf === undefined) {
        here.add(row.dedupKey);
        outcome.candidates += 1;
      } else {
        row.status = 'duplicate';
        row.duplicateOf = duplicateOf;
        outcome.duplicates += 1;
      }
    }
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      await this.repository.insertLines(em, id, rows.slice(i, i + INSERT_BATCH));
    }

    // No file: the digest and size are those of the records as validated, in consumption order.
    const hash = createHash('sha256');
    let sizeBytes = 0;
    for (const { record } of records) {
      const json = JSON.stringify(record);
      hash.update(json).update('\n');
      sizeBytes += Buffer.byteLength(json);
    }
    const accounts = [...new Set(lines.flatMap((l) => l.account.iban ?? l.account.number ?? []))];
    const credits = lines.filter((l) => l.direction === 'credit').length;
    await this.repository.completeStatement(em, {
      id,
      format: 'feed',
      layout: null,
      fileSha256: hash.digest('hex'),
      sizeBytes,
      statements: 1,
      accounts: accounts.slice(0, 1000),
      lines: lines.length,
      credits,
      debits: lines.length - credits,
      candidates: outcome.candidates,
      duplicates: outcome.duplicates,
      notCandidates: outcome.notCandidates,
    });
    return outcome;
  }
}
