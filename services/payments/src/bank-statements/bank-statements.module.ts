import { Module } from '@nestjs/common';
import { BankStatementRepository } from './bank-statement.repository';
import { BankStatementsController } from './bank-statements.controller';
import { CashApplicationWorker } from './cash-application.worker';
import { PaymentsModule } from '../payments/payments.module';
import { RecordStatementPaymentsUseCase } from './usecases/record-statement-payments.usecase';
import { GetBankStatementUseCase } from './usecases/get-bank-statement.usecase';
import { ImportBankStatementUseCase } from './usecases/import-bank-statement.usecase';

/**
 * Bank statement import, and cash application of its credit lines: the import stores them as
 * waiting ('unmatched'); CashApplicationWorker turns them into payments after the file commits.
 */
@Module({
  imports: [PaymentsModule],
  controllers: [BankStatementsController],
  providers: [
    BankStatementRepository,
    ImportBankStatementUseCase,
    GetBankStatementUseCase,
    RecordStatementPaymentsUseCase,
    CashApplicationWorker,
  ],
  // The bank feed (bank-feed/) stores its records as statement lines with the same SQL.
  exports: [BankStatementRepository],
})
export class BankStatementsModule {}
