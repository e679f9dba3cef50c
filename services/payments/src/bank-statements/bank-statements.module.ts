import { Module } from '@nestjs/common';
import { BankStatementRepository } from './bank-statement.repository';
import { BankStatementsController } from './bank-statements.controller';
import { STATEMENT_LINE_SINK, UnmatchedCandidatesSink } from './statement-line-sink';
import { GetBankStatementUseCase } from './usecases/get-bank-statement.usecase';
import { ImportBankStatementUseCase } from './usecases/import-bank-statement.usecase';

/**
 * Bank statement import. STATEMENT_LINE_SINK is where new credit lines go: to stay 'unmatched'
 * for now; the coordinator rebinds it to cash application.
 */
@Module({
  controllers: [BankStatementsController],
  providers: [
    BankStatementRepository,
    ImportBankStatementUseCase,
    GetBankStatementUseCase,
    { provide: STATEMENT_LINE_SINK, useClass: UnmatchedCandidatesSink },
  ],
})
export class BankStatementsModule {}
