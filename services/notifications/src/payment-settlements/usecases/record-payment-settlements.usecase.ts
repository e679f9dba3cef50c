import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { InvoiceRepository } from '../../invoices/invoice.repository';
import { recordHolds } from '../../invoices/payment-holds';
import { ReminderPlanner, type PlanStep, type PlanTransaction } from '../../reminders/reminder-planner';
import type { SettlementChange } from '../payment-settlement';

/** One event of a batch: what it says about holds, and the trace its effects continue. */
export interface SettlementEvent {
  readonly change: SettlementChange;
  readonly trace?: Context;
}

/**
 * Records payment holds and their releases, then re-plans the reminders of every invoice whose
 * hold may have changed: a payment that settles an invoice cancels its reminders now (reason
 * invoice_paid), a reversal or rejection lets invoicing's state of the invoice plan them again.
 * The invoices are locked first (in id order, like every plan), then the holds written, so this
 * and invoice-paid's release (in the lock's own statement) meet in the same order.
 * An invoice the projection does not know yet has no reminders; its hold is read when it comes.
 */
@Injectable()
export class RecordPaymentSettlementsUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly planner: ReminderPlanner,
  ) {}

  async execute(events: readonly SettlementEvent[], tx: PlanTransaction): Promise<void> {
    const holds = events.flatMap((e) => e.change.holds);
    const releases = events.flatMap((e) => e.change.releases);
    // Partial payments hold nothing: the invoice is still chased, as invoicing will say.
    const touched = new Map<string, Context | undefined>();
    for (const { change, trace } of events) {
      for (const h of change.holds) if (h.settles) touched.set(h.invoiceId, trace);
      for (const r of change.releases) touched.set(r.invoiceId, trace);
    }
    const locked = await this.invoices.lockForPlanning(
      tx.em,
      [...touched.keys()].sort(),
      [...new Set(events.map((e) => e.change.customerId))],
      releases,
    );
    const nowHeld = new Set([...locked.held, ...(await recordHolds(tx.em, holds))]);
    const steps: PlanStep[] = [];
    for (const [invoiceId, trace] of touched) {
      const state = locked.invoices.get(invoiceId);
      if (state === undefined) continue;
      steps.push({
        invoice: {
          invoiceId,
          customerId: state.customerId,
          kind: state.kind,
          status: state.status,
          dueDate: state.dueDate,
          openMinor: state.openMinor,
          customer: locked.customers.get(state.customerId) ?? null,
          held: nowHeld.has(invoiceId),
          firstSeen: false,
        },
        trace,
      });
    }
    await this.planner.replanAll(tx, steps);
  }
}
