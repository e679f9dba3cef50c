import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ReminderPlanner } from '../../reminders/reminder-planner';
import { InvoiceEntity } from '../invoice.entity';
import type { InvoiceUpdate } from '../invoice-update';

export type RecordInvoiceOutcome = 'applied' | 'stale';

/**
 * Applies what an invoicing event says to the invoice projection, then re-plans the invoice's
 * reminders from it: issued schedules them, paid / voided cancel what is left, a due-date change
 * re-anchors them, a reopening schedules the steps still ahead. Runs in the consumer's inbox
 * transaction (`em`), so the projection, the reminders and their events commit together.
 *
 * Events of different topics are not ordered: an event older than the state the projection holds
 * (occurred_at) changes nothing.
 */
@Injectable()
export class RecordInvoiceStateUseCase {
  constructor(private readonly planner: ReminderPlanner) {}

  async execute(update: InvoiceUpdate, em: EntityManager): Promise<RecordInvoiceOutcome> {
    const repo = em.getRepository(InvoiceEntity);
    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values({
        invoiceId: update.invoiceId,
        customerId: update.customerId,
        number: update.number ?? '',
        kind: update.kind ?? 'unknown',
        status: update.status,
        dueDate: update.dueDate ?? null,
        openMinor: update.openMinor === undefined ? null : update.openMinor.toString(),
        currency: update.currency ?? null,
        occurredAt: update.occurredAt,
      })
      .orIgnore()
      .returning('invoice_id')
      .execute();
    if ((inserted.raw as unknown[]).length === 0) {
      const current = await repo.findOne({
        where: { invoiceId: update.invoiceId },
        lock: { mode: 'pessimistic_write' },
      });
      if (current === null) throw new Error(`invoice ${update.invoiceId} vanished while being updated`);
      if (current.occurredAt.getTime() >= update.occurredAt.getTime()) return 'stale';
      await repo.update(
        { invoiceId: update.invoiceId },
        {
          customerId: update.customerId,
          status: update.status,
          occurredAt: update.occurredAt,
          updatedAt: new Date(),
          ...(update.number !== undefined && update.number !== '' ? { number: update.number } : {}),
          ...(update.kind !== undefined ? { kind: update.kind } : {}),
          ...(update.dueDate !== undefined ? { dueDate: update.dueDate } : {}),
          ...(update.openMinor !== undefined ? { openMinor: update.openMinor.toString() } : {}),
          ...(update.currency !== undefined ? { currency: update.currency } : {}),
        },
      );
    }
    await this.planner.replanInvoice(em, update.invoiceId);
    return 'applied';
  }
}
