import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '@duemap/messaging';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AfterCommit } from '../common/after-commit';
import { Clock } from '../common/clock';
import { CustomerEntity } from '../customers/customer.entity';
import { InvoiceEntity } from '../invoices/invoice.entity';
import { invoiceStanding } from '../invoices/invoice-standing';
import { planReminders, SKIPPED_REASON, type PlanAction } from '../reminder-policy/plan-reminders';
import { policyForTier } from '../reminder-policy/reminder-policy';
import { effectiveTimeZone } from '../reminder-policy/zoned-time';
import { reminderCancelled, reminderScheduled } from './reminder-events';
import { ReminderJobs, type JobTarget } from './reminder-jobs';
import { ReminderEntity } from './reminder.entity';

export interface ReplanOptions {
  /** Detail of reminders cancelled because their re-anchored time has passed. */
  readonly reanchorDetail?: string;
}

/**
 * Brings an invoice's reminders in line with its projection and its customer's time zone, inside
 * the caller's transaction: rows, their events (outbox) and, after commit, their jobs.
 * Every invoicing and customer event ends here, so there is one place where schedules change.
 */
@Injectable()
export class ReminderPlanner {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly jobs: ReminderJobs,
    private readonly afterCommit: AfterCommit,
    private readonly clock: Clock,
  ) {}

  async replanInvoice(
    em: EntityManager,
    invoiceId: string,
    options: ReplanOptions = {},
  ): Promise<PlanAction[]> {
    // The invoice row lock serialises every plan of this invoice (events of different topics for
    // one invoice may be handled at the same time).
    const invoice = await em
      .getRepository(InvoiceEntity)
      .findOne({ where: { invoiceId }, lock: { mode: 'pessimistic_write' } });
    if (invoice === null) return [];
    const customer = await em.getRepository(CustomerEntity).findOneBy({ customerId: invoice.customerId });
    const policy = policyForTier(customer?.tier);
    const reminders = em.getRepository(ReminderEntity);
    const existing = await reminders.find({
      where: { invoiceId },
      order: { level: 'ASC', createdAt: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    const now = this.clock.now();
    const actions = planReminders({
      policy,
      standing: invoiceStanding(invoice),
      timeZone: effectiveTimeZone(customer?.timeZone),
      now,
      existing,
      reanchorDetail: options.reanchorDetail,
    });
    if (actions.length === 0) return actions;

    const byId = new Map(existing.map((r) => [r.id, r]));
    const events: Parameters<OutboxWriter['appendAll']>[1] = [];
    const changes = { add: [] as JobTarget[], move: [] as JobTarget[], remove: [] as string[] };
    for (const action of actions) {
      switch (action.kind) {
        case 'create': {
          const row = reminders.create({
            id: randomUUID(),
            invoiceId,
            customerId: invoice.customerId,
            policyId: policy.id,
            level: action.level,
            offsetDays: action.offsetDays,
            scheduledFor: action.scheduledFor,
            status: action.status,
            channel: 'email',
            reason: action.status === 'skipped' ? SKIPPED_REASON : null,
            sentAt: null,
            cancelledAt: null,
            channelMessageId: null,
            jobEnqueuedFor: null,
          });
          await reminders.insert(row);
          if (row.status === 'scheduled') {
            events.push(reminderScheduled(row, now));
            changes.add.push({ id: row.id, scheduledFor: row.scheduledFor });
          }
          break;
        }
        case 'reschedule': {
          const row = byId.get(action.id) as ReminderEntity;
          Object.assign(row, {
            customerId: invoice.customerId,
            policyId: policy.id,
            offsetDays: action.offsetDays,
            scheduledFor: action.scheduledFor,
            status: 'scheduled',
            reason: null,
            updatedAt: now,
          });
          await reminders.update(
            { id: row.id },
            {
              customerId: row.customerId,
              policyId: row.policyId,
              offsetDays: row.offsetDays,
              scheduledFor: row.scheduledFor,
              status: row.status,
              reason: null,
              updatedAt: now,
            },
          );
          events.push(reminderScheduled(row, now));
          changes.move.push({ id: row.id, scheduledFor: row.scheduledFor });
          break;
        }
        case 'cancel': {
          const row = byId.get(action.id) as ReminderEntity;
          await reminders.update(
            { id: row.id },
            { status: 'cancelled', reason: action.reason, cancelledAt: now, updatedAt: now },
          );
          events.push(reminderCancelled(row, action.reason, action.detail, now));
          changes.remove.push(row.id);
          break;
        }
      }
    }
    if (events.length > 0) await this.outbox.appendAll(em, events);
    this.afterCommit.run(em, () => this.jobs.apply(changes));
    return actions;
  }
}
