import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { ReminderPlanner, type PlanStep, type PlanTransaction } from '../../reminders/reminder-planner';
import { InvoiceRepository } from '../invoice.repository';
import { applyUpdate, type InvoiceState, type InvoiceUpdate } from '../invoice-update';

/** One invoicing event of a batch: what it says, and the trace its effects continue. */
export interface InvoiceEvent {
  readonly update: InvoiceUpdate;
  readonly trace?: Context;
}

export type RecordInvoiceOutcome = 'applied' | 'stale';

/**
 * Applies what invoicing events say to the invoice projection, then re-plans each invoice's
 * reminders from it: issued schedules them, paid / voided cancel what is left, a due-date change
 * re-anchors them, a reopening schedules the steps still ahead. Runs in the consumer's inbox
 * transaction, so the projection, the reminders and their events commit together.
 *
 * invoice-paid also ends the payment holds of the payments it names (payment-holds.ts), in the
 * same statement as the lock.
 *
 * A batch costs the same few statements whatever its size: the invoices are locked and read at
 * once, the events folded into them in memory in order (two events of one invoice: the second
 * sees the first), and the outcome written once. Events of different topics are not ordered: an
 * event that is not newer than the state the projection holds (by invoice version, else by
 * occurred_at) changes nothing.
 */
@Injectable()
export class RecordInvoiceStateUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly planner: ReminderPlanner,
  ) {}

  async execute(events: readonly InvoiceEvent[], tx: PlanTransaction): Promise<RecordInvoiceOutcome[]> {
    if (events.length === 0) return [];
    const locked = await this.invoices.lockForPlanning(
      tx.em,
      [...new Set(events.map((e) => e.update.invoiceId))],
      [...new Set(events.map((e) => e.update.customerId))],
      events.flatMap(({ update }) =>
        (update.releasesPayments ?? []).map((paymentId) => ({ invoiceId: update.invoiceId, paymentId })),
      ),
    );
    const known = new Set(locked.invoices.keys());
    const states = new Map(locked.invoices);
    const changed = new Map<string, InvoiceState>();
    const steps: PlanStep[] = [];
    const outcomes = events.map(({ update, trace }): RecordInvoiceOutcome => {
      const current = states.get(update.invoiceId) ?? null;
      const next = applyUpdate(current, update);
      if (next === null) return 'stale';
      states.set(next.invoiceId, next);
      changed.set(next.invoiceId, next);
      steps.push({
        invoice: {
          invoiceId: next.invoiceId,
          customerId: next.customerId,
          kind: next.kind,
          status: next.status,
          dueDate: next.dueDate,
          openMinor: next.openMinor,
          customer: locked.customers.get(next.customerId) ?? null,
          held: locked.held.has(next.invoiceId),
          firstSeen: current === null,
        },
        trace,
      });
      return 'applied';
    });
    await this.invoices.saveAll(tx.em, [...changed.values()], known);
    await this.planner.replanAll(tx, steps);
    return outcomes;
  }
}
