import { Injectable } from '@nestjs/common';
import { ScopeKey, type TransactionScope } from '@duemap/messaging';
import type { Context } from '@opentelemetry/api';
import type { EntityManager } from 'typeorm';
import type { AllocationFact, CreditFact, InvoiceFact } from '../balance-facts';
import { BalanceRecalculator } from '../balance-recalculator';
import { InvoiceBalancesRepository } from '../invoice-balances.repository';

/** A fact with the trace of the event it came from, which the customer's new events continue. */
export type TracedFact =
  | { kind: 'invoice'; fact: InvoiceFact; trace: Context }
  | { kind: 'credit'; fact: CreditFact; trace: Context }
  | { kind: 'allocation'; fact: AllocationFact; trace: Context };

/**
 * Per fact: an invoice fact is applied or stale, a credit fact recorded or a duplicate, an
 * allocation fact recorded (allocations and releases are idempotent upserts).
 */
export type BalanceFactOutcome = 'applied' | 'stale' | 'recorded' | 'duplicate';

const QUEUED = new ScopeKey<TracedFact[]>('customers:balance-facts');

/**
 * Mirrors invoicing's and payments' events into the invoice projection, payments' allocations and the credit ledger, and
 * marks the customers they touch for recomputation, in the consumer's inbox transaction (`em`), so
 * the effect happens once.
 *
 * The facts of every balance topic of a transaction are applied together at its end, in the order
 * they arrived: one statement for all invoice facts, one for all credit facts, whatever their
 * number, with the outcome one by one application would have (an invoice keeps the occurred_at of
 * the last event applied and ignores older ones; a credit entry key counts once).
 */
@Injectable()
export class ApplyBalanceFactsUseCase {
  constructor(
    private readonly projections: InvoiceBalancesRepository,
    private readonly recalculator: BalanceRecalculator,
  ) {}

  /** Queues facts (of one topic, say) to be applied with the transaction's others before it commits. */
  enqueue(facts: readonly TracedFact[], em: EntityManager, scope: TransactionScope): void {
    const queued = scope.local(QUEUED, () => [] as TracedFact[]);
    queued.push(...facts);
    scope.defer(QUEUED, async () => {
      await this.execute(queued, em, scope);
    });
  }

  /** Applies the facts now, as if one by one in this order; returns each fact's outcome. */
  async execute(
    facts: readonly TracedFact[],
    em: EntityManager,
    scope: TransactionScope,
  ): Promise<BalanceFactOutcome[]> {
    const invoices = facts.flatMap((f) => (f.kind === 'invoice' ? [f.fact] : []));
    const credits = facts.flatMap((f) => (f.kind === 'credit' ? [f.fact] : []));
    const upserted = (await this.projections.upsertFacts(em, invoices)).values();
    const recorded = (await this.projections.addCredits(em, credits)).values();
    await this.projections.recordAllocations(
      em,
      facts.flatMap((f) => (f.kind === 'allocation' ? [f.fact] : [])),
    );

    // Scheduled in arrival order, so each customer continues the trace of the first event that
    // touched it, as when events were handled one by one.
    return facts.map((traced): BalanceFactOutcome => {
      switch (traced.kind) {
        case 'invoice': {
          const { fact } = traced;
          const outcome = upserted.next().value;
          if (!outcome?.applied) return 'stale';
          const affected = [fact.customerId];
          if (outcome.previousCustomerId !== null) affected.push(outcome.previousCustomerId);
          if (fact.previousCustomerId) affected.push(fact.previousCustomerId);
          this.recalculator.schedule(em, scope, affected, traced.trace);
          return 'applied';
        }
        case 'credit': {
          if (recorded.next().value !== true) return 'duplicate';
          this.recalculator.schedule(em, scope, [traced.fact.customerId], traced.trace);
          return 'recorded';
        }
        case 'allocation': {
          // Payments' allocation counts against the invoice now (ADR 0030); a release may make
          // invoicing's open amount speak alone again. Either may change the balance.
          this.recalculator.schedule(em, scope, [traced.fact.customerId], traced.trace);
          return 'recorded';
        }
      }
    });
  }
}
