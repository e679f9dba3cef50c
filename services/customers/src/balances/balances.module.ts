import { Module } from '@nestjs/common';
import { BalanceRecalculator } from './balance-recalculator';
import { BalancesConsumer } from './balances.consumer';
import { InvoiceBalancesRepository } from './invoice-balances.repository';
import { ApplyBalanceFactsUseCase } from './usecases/apply-balance-facts.usecase';

@Module({
  providers: [BalanceRecalculator, InvoiceBalancesRepository, ApplyBalanceFactsUseCase, BalancesConsumer],
})
export class BalancesModule {}
