import { Injectable } from '@nestjs/common';
import { ReminderPlanner, type PlanTransaction } from '../../reminders/reminder-planner';
import { InvoiceRepository } from '../invoice.repository';
import type { InvoiceUpdate } from '../invoice-update';

export type RecordInvoiceOutcome = 'applied' | 'stale';

/**
 * Applies what an invoicing event says to the invoice projection, then re-plans the invoice's
 * reminders from it: issued schedules them, paid / voided cancel what is left, a due-date change
 * re-anchors them, a reopening schedules the steps still ahead. Runs in the consumer's inbox
 * transaction, so the projection, the reminders and their events commit together.
 *
 * Events of different topics are not ordered: an event older than the state the projection holds
 * (occurred_at) changes nothing.
 */
@Injectable()
export class RecordInvoiceStateUseCase {
  constructor(
    private readonly invoices: InvoiceRepository,
    private readonly planner: ReminderPlanner,
  ) {}

  async execute(update: InvoiceUpdate, tx: PlanTransaction): Promise<RecordInvoiceOutcome> {
    const invoice = await this.invoices.upsert(tx.em, update);
    if (invoice === null) return 'stale';
    await this.planner.replan(tx, invoice);
    return 'applied';
  }
}
