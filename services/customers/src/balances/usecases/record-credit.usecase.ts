import { Injectable } from '@nestjs/common';
import type { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { CreditFact } from '../balance-facts';
import { BalanceRecalculator } from '../balance-recalculator';
import { InvoiceBalancesRepository } from '../invoice-balances.repository';

export type CreditFactOutcome = 'recorded' | 'duplicate';

/**
 * Adds one change of unapplied credit to the customer's credit ledger and marks the customer for
 * recomputation at the end of the transaction. The inbox already makes each event count once; the
 * entry key also makes each fact count once (the same payment's unapplied part delivered under two
 * event ids is still one entry).
 */
@Injectable()
export class RecordCreditUseCase {
  constructor(
    private readonly ledger: InvoiceBalancesRepository,
    private readonly recalculator: BalanceRecalculator,
  ) {}

  async execute(fact: CreditFact, em: EntityManager, scope: TransactionScope): Promise<CreditFactOutcome> {
    if (!(await this.ledger.addCredit(em, fact))) return 'duplicate';
    this.recalculator.schedule(em, scope, [fact.customerId]);
    return 'recorded';
  }
}
