import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BankStatementErrorCode, BankStatementException } from '../bank-statement.exception';
import {
  BankStatementRepository,
  type StatementSummary,
  type StoredLine,
} from '../bank-statement.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface BankStatementView extends StatementSummary {
  items: StoredLine[];
  nextCursor: string | null;
}

/** GET /api/v1/bank-statements/{id}: the import's summary and a page of its lines with their status. */
@Injectable()
export class GetBankStatementUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: BankStatementRepository,
  ) {}

  async execute(id: string, afterLineNo: number, limit: number): Promise<BankStatementView> {
    const em = this.dataSource.manager;
    // Import ids are UUIDs; anything else names no import (and must not reach a uuid column).
    const summary = UUID.test(id) ? await this.repository.findSummary(em, id) : undefined;
    if (!summary) {
      throw new BankStatementException(BankStatementErrorCode.NotFound, `no bank statement ${id}`, 'id');
    }
    const { lines, more } = await this.repository.findLines(em, id, afterLineNo, limit);
    const last = lines[lines.length - 1];
    return { ...summary, items: lines, nextCursor: more && last ? String(last.lineNo) : null };
  }
}
