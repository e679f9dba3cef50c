import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CreditEntryEntity } from '../balance.entity';
import type { CreditFact } from '../balance-facts';
import { BalanceRecalculator } from '../balance-recalculator';

export type CreditFactOutcome = 'recorded' | 'duplicate';

/**
 * Adds one change of unapplied credit to the customer's credit ledger and recomputes the customer.
 * The inbox already makes each event count once; the entry key also makes each fact count once
 * (the same payment's unapplied part delivered under two event ids is still one entry).
 */
@Injectable()
export class RecordCreditUseCase {
  constructor(private readonly recalculator: BalanceRecalculator) {}

  async execute(fact: CreditFact, em: EntityManager): Promise<CreditFactOutcome> {
    const locked = await this.recalculator.lockCustomers(em, [fact.customerId]);
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(CreditEntryEntity)
      .values({
        entryKey: fact.entryKey,
        customerId: fact.customerId,
        kind: fact.kind,
        paymentId: fact.paymentId,
        currency: fact.currency,
        amountMinor: fact.amountMinor.toString(),
        occurredAt: fact.occurredAt,
        recordedAt: new Date(),
      })
      .orIgnore()
      .returning(['entryKey'])
      .execute();
    if (result.raw === undefined || (result.raw as unknown[]).length === 0) return 'duplicate';
    for (const customerId of locked) await this.recalculator.recompute(em, customerId);
    return 'recorded';
  }
}
