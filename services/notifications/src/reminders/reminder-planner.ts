import type { DescMessage } from '@bufbuild/protobuf';
import { Injectable } from '@nestjs/common';
import {
  inCurrentTrace,
  OutboxWriter,
  type EventContext,
  type OutboxEvent,
  type TransactionScope,
} from '@duemap/messaging';
import { randomUUID } from 'node:crypto';
import { AfterCommit } from '../common/after-commit';
import { Clock } from '../common/clock';
import type { InvoiceToPlan } from '../invoices/invoice.repository';
import { invoiceStanding } from '../invoices/invoice-standing';
import {
  planReminders,
  SKIPPED_REASON,
  type CancelReason,
  type InvoiceStanding,
  type PlanAction,
} from '../reminder-policy/plan-reminders';
import { policyForTier } from '../reminder-policy/reminder-policy';
import { effectiveTimeZone } from '../reminder-policy/zoned-time';
import { reminderCancelled, reminderScheduled } from './reminder-events';
import { JobChangeSet, ReminderJobs } from './reminder-jobs';
import {
  ReminderRepository,
  type NewReminder,
  type PlannedReminder,
  type Rescheduled,
} from './reminder.repository';

export interface ReplanOptions {
  /** Detail of reminders cancelled because their re-anchored time has passed. */
  readonly reanchorDetail?: string;
}

/** The consumer transaction a plan is written in, and what its events share. */
export type PlanTransaction = Pick<EventContext, 'em' | 'scope'>;

/**
 * What the plans of one transaction leave for its end: their events, written to the outbox in one
 * statement before commit, and their jobs, changed in Redis in one pass after commit.
 */
interface TransactionEffects {
  readonly events: OutboxEvent<DescMessage>[];
  readonly jobs: JobChangeSet;
}

const CHANNEL = 'email';

/**
 * Brings an invoice's reminders in line with its projection and its customer's time zone, inside
 * the caller's transaction: rows, their events (outbox) and, after commit, their jobs.
 * Every invoicing and customer event ends here, so there is one place where schedules change.
 */
@Injectable()
export class ReminderPlanner {
  private readonly effects = new WeakMap<TransactionScope, TransactionEffects>();

  constructor(
    private readonly reminders: ReminderRepository,
    private readonly outbox: OutboxWriter,
    private readonly jobs: ReminderJobs,
    private readonly afterCommit: AfterCommit,
    private readonly clock: Clock,
  ) {}

  /**
   * Plans the invoice, whose row the caller's transaction holds locked (which serialises every
   * plan of one invoice: events of different topics for it may be handled at the same time).
   */
  async replan(
    tx: PlanTransaction,
    invoice: InvoiceToPlan,
    options: ReplanOptions = {},
  ): Promise<PlanAction[]> {
    const standing = invoiceStanding(invoice);
    if (!standing.remindable) return this.cancelScheduled(tx, invoice, standing);
    const now = this.clock.now();
    const policy = policyForTier(invoice.customer?.tier);
    const existing = invoice.firstSeen ? [] : await this.reminders.lockOfInvoice(tx.em, invoice.invoiceId);
    const actions = planReminders({
      policy,
      standing,
      timeZone: effectiveTimeZone(invoice.customer?.timeZone),
      now,
      existing,
      reanchorDetail: options.reanchorDetail,
    });
    if (actions.length === 0) return actions;

    const byId = new Map(existing.map((r) => [r.id, r]));
    const of = { invoiceId: invoice.invoiceId, customerId: invoice.customerId, policyId: policy.id };
    const created: NewReminder[] = [];
    const rescheduled: Rescheduled[] = [];
    const cancelled: { id: string; reason: CancelReason }[] = [];
    const effects = this.effectsOf(tx);
    for (const action of actions) {
      switch (action.kind) {
        case 'create': {
          const row = {
            id: randomUUID(),
            level: action.level,
            offsetDays: action.offsetDays,
            scheduledFor: action.scheduledFor,
            status: action.status,
            reason: action.status === 'skipped' ? SKIPPED_REASON : null,
          };
          created.push(row);
          if (row.status === 'scheduled') {
            effects.events.push(inCurrentTrace(reminderScheduled({ ...of, ...row, channel: CHANNEL }, now)));
            effects.jobs.add({ id: row.id, scheduledFor: row.scheduledFor });
          }
          break;
        }
        case 'reschedule': {
          const row = byId.get(action.id) as PlannedReminder;
          rescheduled.push({ id: row.id, offsetDays: action.offsetDays, scheduledFor: action.scheduledFor });
          effects.events.push(
            inCurrentTrace(
              reminderScheduled(
                { ...row, ...of, offsetDays: action.offsetDays, scheduledFor: action.scheduledFor },
                now,
              ),
            ),
          );
          effects.jobs.move({ id: row.id, scheduledFor: action.scheduledFor });
          break;
        }
        case 'cancel': {
          const row = byId.get(action.id) as PlannedReminder;
          cancelled.push({ id: row.id, reason: action.reason });
          effects.events.push(inCurrentTrace(reminderCancelled(row, action.reason, action.detail, now)));
          effects.jobs.remove(row.id);
          break;
        }
      }
    }
    // Cancels before inserts, so that a level's slot (at most one reminder per level that is not
    // cancelled) is free before anything is created there.
    await this.reminders.cancelAll(tx.em, cancelled, now);
    await this.reminders.rescheduleAll(tx.em, of, rescheduled, now);
    await this.reminders.insertAll(tx.em, { ...of, channel: CHANNEL }, created);
    return actions;
  }

  /**
   * What planReminders does for a closed invoice — cancel whatever is still scheduled, for the
   * standing's reason — in one statement that finds the rows itself instead of reading them first.
   */
  private async cancelScheduled(
    tx: PlanTransaction,
    invoice: InvoiceToPlan,
    standing: InvoiceStanding & { remindable: false },
  ): Promise<PlanAction[]> {
    if (invoice.firstSeen) return [];
    const now = this.clock.now();
    const { reason, detail } = standing;
    const cancelled = await this.reminders.cancelScheduledOfInvoice(tx.em, invoice.invoiceId, reason, now);
    if (cancelled.length === 0) return [];
    const effects = this.effectsOf(tx);
    for (const r of cancelled) {
      effects.events.push(
        inCurrentTrace(reminderCancelled({ ...r, invoiceId: invoice.invoiceId }, reason, detail, now)),
      );
      effects.jobs.remove(r.id);
    }
    return cancelled.map((r) => ({ kind: 'cancel', id: r.id, level: r.level, reason, detail }));
  }

  /**
   * This transaction's effects, created with the first plan that has any: the outbox write is
   * deferred to the end of the transaction, the job changes to after its commit.
   */
  private effectsOf(tx: PlanTransaction): TransactionEffects {
    const open = this.effects.get(tx.scope);
    if (open !== undefined) return open;
    const created: TransactionEffects = { events: [], jobs: new JobChangeSet() };
    this.effects.set(tx.scope, created);
    tx.scope.defer('notifications:reminder-events', async () => {
      // A plan after this point (deferred work of its own) starts a new set of effects.
      this.effects.delete(tx.scope);
      if (created.events.length > 0) await this.outbox.appendAll(tx.em, created.events);
    });
    this.afterCommit.run(tx.em, () =>
      created.jobs.size > 0 ? this.jobs.apply(created.jobs.changes()) : Promise.resolve(),
    );
    return created;
  }
}
