import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StatementLine } from './parsing/statement-line';

/** A new payment candidate as stored: the parsed line and where it is kept. */
export interface StoredCandidate {
  statementId: string;
  lineNo: number;
  line: StatementLine;
}

/**
 * The seam between bank statement import and cash application. The import calls `accept` with
 * each batch of new credit lines (booked, not reversals, not seen before), inside the import's
 * transaction, after the lines are stored with status 'unmatched'; whatever the sink writes commits
 * or rolls back with the file. The coordinator binds STATEMENT_LINE_SINK to cash application; until
 * then the candidates wait as 'unmatched'. Payments are not created here.
 */
export interface StatementLineSink {
  accept(candidates: readonly StoredCandidate[], em: EntityManager): Promise<void>;
}

export const STATEMENT_LINE_SINK = Symbol('StatementLineSink');

/** The default sink: candidates stay 'unmatched' in bank_statement_lines for cash application. */
@Injectable()
export class UnmatchedCandidatesSink implements StatementLineSink {
  accept(): Promise<void> {
    return Promise.resolve();
  }
}
