import { Injectable } from '@nestjs/common';
import type { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { InvoiceFact } from '../balance-facts';
import { BalanceRecalculator } from '../balance-recalculator';
import { InvoiceBalancesRepository } from '../invoice-balances.repository';

export type InvoiceFactOutcome = 'applied' | 'stale';

/**
 * Mirrors one invoicing event into the invoice projection and marks the customers it touches for
 * recomputation at the end of the consumer's inbox transaction (`em`), so the effect happens once
 * and a customer touched by many events of the transaction is recomputed once.
 *
 * Events of different invoicing topics are not ordered relative to each other, so each invoice
 * keeps the occurred_at of the last event applied and older ones are ignored.
 */
@Injectable()
export class ApplyInvoiceFactUseCase {
  constructor(
    private readonly invoices: InvoiceBalancesRepository,
    private readonly recalculator: BalanceRecalculator,
  ) {}

  async execute(fact: InvoiceFact, em: EntityManager, scope: TransactionScope): Promise<InvoiceFactOutcome> {
    const upserted = await this.invoices.upsertFact(em, fact);
    if (!upserted.applied) return 'stale';
    const affected = [fact.customerId];
    if (upserted.previousCustomerId !== null) affected.push(upserted.previousCustomerId);
    if (fact.previousCustomerId) affected.push(fact.previousCustomerId);
    this.recalculator.schedule(em, scope, affected);
    return 'applied';
  }
}
