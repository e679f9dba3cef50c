import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvoiceBalanceEntity } from '../balance.entity';
import type { InvoiceFact } from '../balance-facts';
import { BalanceRecalculator } from '../balance-recalculator';

export type InvoiceFactOutcome = 'applied' | 'stale';

/**
 * Mirrors one invoicing event into the invoice projection and recomputes the customers it
 * touches. Runs in the consumer's inbox transaction (`em`), so the effect happens once.
 *
 * Events of different invoicing topics are not ordered relative to each other, so each invoice
 * keeps the occurred_at of the last event applied and older ones are ignored.
 */
@Injectable()
export class ApplyInvoiceFactUseCase {
  constructor(private readonly recalculator: BalanceRecalculator) {}

  async execute(fact: InvoiceFact, em: EntityManager): Promise<InvoiceFactOutcome> {
    const candidates = [fact.customerId, ...(fact.previousCustomerId ? [fact.previousCustomerId] : [])];
    const locked = await this.recalculator.lockCustomers(em, candidates);

    const invoices = em.getRepository(InvoiceBalanceEntity);
    const existing = await invoices.findOne({
      where: { invoiceId: fact.invoiceId },
      lock: { mode: 'pessimistic_write' },
    });
    if (existing !== null && existing.lastOccurredAt.getTime() > fact.occurredAt.getTime()) return 'stale';
    if (existing !== null && existing.customerId !== fact.customerId && !locked.has(existing.customerId)) {
      for (const id of await this.recalculator.lockCustomers(em, [existing.customerId])) locked.add(id);
    }

    await invoices.upsert(
      {
        invoiceId: fact.invoiceId,
        customerId: fact.customerId,
        currency: fact.currency,
        openMinor: (fact.openMinor ?? (existing === null ? 0n : BigInt(existing.openMinor))).toString(),
        overdue: fact.overdue ?? existing?.overdue ?? false,
        void: existing?.void === true || fact.void === true,
        lastOccurredAt: fact.occurredAt,
        updatedAt: new Date(),
      },
      ['invoiceId'],
    );

    const affected = new Set([fact.customerId.toLowerCase()]);
    if (existing !== null) affected.add(existing.customerId.toLowerCase());
    if (fact.previousCustomerId) affected.add(fact.previousCustomerId.toLowerCase());
    for (const customerId of [...affected].sort()) {
      if (locked.has(customerId)) await this.recalculator.recompute(em, customerId);
    }
    return 'applied';
  }
}
