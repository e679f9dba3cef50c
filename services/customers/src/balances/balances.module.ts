import { Module } from '@nestjs/common';
import { BalanceRecalculator } from './balance-recalculator';
import { BalancesConsumer } from './balances.consumer';
import { InvoiceBalancesRepository } from './invoice-balances.repository';
import { ApplyInvoiceFactUseCase } from './usecases/apply-invoice-fact.usecase';
import { RecordCreditUseCase } from './usecases/record-credit.usecase';

@Module({
  providers: [
    BalanceRecalculator,
    InvoiceBalancesRepository,
    ApplyInvoiceFactUseCase,
    RecordCreditUseCase,
    BalancesConsumer,
  ],
})
export class BalancesModule {}
