import type { DescMessage } from '@bufbuild/protobuf';
import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import {
  inCurrentTrace,
  OutboxWriter,
  ScopeKey,
  type EventContext,
  type OutboxEvent,
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
  type PlanAction,
} from '../reminder-policy/plan-reminders';
import { policyForTier } from '../reminder-policy/reminder-policy';
import { effectiveTimeZone } from '../reminder-policy/zoned-time';
import { reminderCancelled, reminderScheduled } from './reminder-events';
import { JobChangeSet, ReminderJobs } from './reminder-jobs';
import { ReminderRepository, type PlannedReminder } from './reminder.repository';

/** The consumer transaction a plan is written in, and what its events share. */
export type PlanTransaction = Pick<EventContext, 'em' | 'scope'>;

/** One invoice as it stands after one event: what its reminders are planned from. */
export interface PlanStep {
  /** The invoice, its row locked by the caller's transaction. */
  readonly invoice: InvoiceToPlan;
  /** The trace the step's events continue (the event's `process` span); the active one if absent. */
  readonly trace?: Context;
  /** Detail of reminders cancelled because their re-anchored time has passed. */
  readonly reanchorDetail?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A reminder as the plans of one call leave it, and whether it has to be written. */
interface Draft {
  readonly row: Mutable<PlannedReminder>;
  readonly created: boolean;
  changed: boolean;
}

/** One invoice's reminders while its steps are planned. */
interface Schedule {
  readonly drafts: Draft[];
  /**
   * Reminders the invoice's first step cancels, already cancelled in the database (an invoice
   * every step of which closes it): the step only emits what it did.
   */
  cancelledUpfront?: PlannedReminder[];
}

/** The channel of a policy step that names none. */
const DEFAULT_CHANNEL = 'email';
const JOB_CHANGES = new ScopeKey<JobChangeSet>('notifications:reminder-job-changes');

/**
 * Brings invoices' reminders in line with their projection and their customer's time zone,
 * inside the caller's transaction: rows, their events (outbox) and, after commit, their jobs.
 * Every invoicing and customer event ends here, so there is one place where schedules change.
 */
@Injectable()
export class ReminderPlanner {
  constructor(
    private readonly reminders: ReminderRepository,
    private readonly outbox: OutboxWriter,
    private readonly jobs: ReminderJobs,
    private readonly afterCommit: AfterCommit,
    private readonly clock: Clock,
  ) {}

  /**
   * Plans the steps in order — an invoice may go through several (issued, then paid, in one
   * batch), each planned on what the one before left — and writes the outcome once: the
   * reminders of the invoices seen before are read (and locked) in one statement (those of
   * invoices that are only closed, cancelled by one), then the changed ones are updated in one
   * and the new ones inserted in one. A reminder created and
   * cancelled here is inserted cancelled; its events are emitted all the same, as planning each
   * step in its own transaction would have. Returns each step's actions.
   */
  async replanAll(tx: PlanTransaction, steps: readonly PlanStep[]): Promise<PlanAction[][]> {
    if (steps.length === 0) return [];
    const now = this.clock.now();
    const schedules = await this.schedulesOf(tx, steps, now);
    const events: OutboxEvent<DescMessage>[] = [];
    const planned = steps.map((step) => {
      const schedule = schedules.get(step.invoice.invoiceId) as Schedule;
      return this.plan(tx, step, schedule, now, events);
    });
    const drafts = [...schedules.values()].flatMap((s) => s.drafts);
    // Updates first: a cancelled reminder frees its level's slot for one created after it.
    await this.reminders.updateAll(
      tx.em,
      drafts.filter((d) => d.changed && !d.created).map((d) => d.row),
      now,
    );
    await this.reminders.insertAll(
      tx.em,
      drafts.filter((d) => d.created).map((d) => d.row),
    );
    // The consumer writes a transaction's outbox events in one insert at its end.
    if (events.length > 0) await this.outbox.appendAll(tx.em, events);
    return planned;
  }

  /**
   * Each invoice's reminders in level order: none for one seen for the first time (its first
   * step says so); for one that every step closes (paid, voided), its scheduled reminders,
   * cancelled by one statement that finds them itself — what planning them would do, without
   * reading them first; the locked rows, read in one statement, for the others.
   */
  private async schedulesOf(
    tx: PlanTransaction,
    steps: readonly PlanStep[],
    now: Date,
  ): Promise<Map<string, Schedule>> {
    const stepsOf = new Map<string, PlanStep[]>();
    for (const step of steps) {
      const of = stepsOf.get(step.invoice.invoiceId);
      if (of) of.push(step);
      else stepsOf.set(step.invoice.invoiceId, [step]);
    }
    const toRead: string[] = [];
    const toClose: { invoiceId: string; reason: CancelReason }[] = [];
    for (const [invoiceId, [first, ...later]] of stepsOf) {
      if (first === undefined || first.invoice.firstSeen) continue;
      const standing = invoiceStanding(first.invoice);
      const closesAll = later.every((step) => !invoiceStanding(step.invoice).remindable);
      if (!standing.remindable && closesAll) toClose.push({ invoiceId, reason: standing.reason });
      else toRead.push(invoiceId);
    }
    const schedules = new Map<string, Schedule>([...stepsOf.keys()].map((id) => [id, { drafts: [] }]));
    for (const row of await this.reminders.lockOfInvoices(tx.em, toRead)) {
      schedules.get(row.invoiceId)?.drafts.push({ row: { ...row }, created: false, changed: false });
    }
    for (const { invoiceId } of toClose) (schedules.get(invoiceId) as Schedule).cancelledUpfront = [];
    for (const row of await this.reminders.cancelScheduledOfInvoices(tx.em, toClose, now)) {
      schedules.get(row.invoiceId)?.cancelledUpfront?.push(row);
    }
    return schedules;
  }

  private plan(
    tx: PlanTransaction,
    step: PlanStep,
    schedule: Schedule,
    now: Date,
    events: OutboxEvent<DescMessage>[],
  ): PlanAction[] {
    const { invoice } = step;
    const policy = policyForTier(invoice.customer?.tier);
    const standing = invoiceStanding(invoice);
    const { drafts, cancelledUpfront } = schedule;
    let actions: PlanAction[];
    if (cancelledUpfront !== undefined && !standing.remindable) {
      // What planReminders says for a closed invoice: cancel every scheduled reminder, by level.
      schedule.cancelledUpfront = undefined;
      drafts.push(...cancelledUpfront.map((row) => ({ row: { ...row }, created: false, changed: false })));
      actions = cancelledUpfront.map((r) => ({
        kind: 'cancel',
        id: r.id,
        level: r.level,
        reason: standing.reason,
        detail: standing.detail,
      }));
    } else {
      // Stable: rows read in (level, created_at) order, then the ones created here, by level.
      const existing = [...drafts].sort((a, b) => a.row.level - b.row.level).map((d) => d.row);
      actions = planReminders({
        policy,
        standing,
        timeZone: effectiveTimeZone(invoice.customer?.timeZone),
        now,
        existing,
        reanchorDetail: step.reanchorDetail,
      });
    }
    if (actions.length === 0) return actions;
    const traced = (event: OutboxEvent<DescMessage>): OutboxEvent<DescMessage> =>
      step.trace === undefined ? inCurrentTrace(event) : { ...event, traceContext: step.trace };
    const byId = new Map(drafts.map((d) => [d.row.id, d]));
    const jobs = this.jobChangesOf(tx);
    for (const action of actions) {
      switch (action.kind) {
        case 'create': {
          const row: PlannedReminder = {
            id: randomUUID(),
            invoiceId: invoice.invoiceId,
            customerId: invoice.customerId,
            policyId: policy.id,
            channel: policy.steps.find((s) => s.level === action.level)?.channel ?? DEFAULT_CHANNEL,
            level: action.level,
            offsetDays: action.offsetDays,
            scheduledFor: action.scheduledFor,
            status: action.status,
            reason: action.status === 'skipped' ? SKIPPED_REASON : null,
            cancelledAt: null,
          };
          drafts.push({ row, created: true, changed: true });
          if (row.status === 'scheduled') {
            events.push(traced(reminderScheduled(row, now)));
            jobs.add({ id: row.id, scheduledFor: row.scheduledFor });
          }
          break;
        }
        case 'reschedule': {
          const draft = byId.get(action.id) as Draft;
          Object.assign(draft.row, {
            customerId: invoice.customerId,
            policyId: policy.id,
            offsetDays: action.offsetDays,
            scheduledFor: action.scheduledFor,
            status: 'scheduled',
            reason: null,
          });
          draft.changed = true;
          events.push(traced(reminderScheduled(draft.row, now)));
          jobs.move({ id: draft.row.id, scheduledFor: action.scheduledFor });
          break;
        }
        case 'cancel': {
          const draft = byId.get(action.id) as Draft;
          // Cancelled upfront: the row already is what this does and need not be written again.
          if (draft.row.status !== 'cancelled') {
            Object.assign(draft.row, { status: 'cancelled', reason: action.reason, cancelledAt: now });
            draft.changed = true;
          }
          events.push(traced(reminderCancelled(draft.row, action.reason, action.detail, now)));
          jobs.remove(draft.row.id);
          break;
        }
      }
    }
    return actions;
  }

  /**
   * The job changes of every plan of this transaction, netted per reminder and handed to Redis in
   * one pass after commit (created with the first change, so a transaction without any has none).
   */
  private jobChangesOf(tx: PlanTransaction): JobChangeSet {
    return tx.scope.local(JOB_CHANGES, () => {
      const changes = new JobChangeSet();
      this.afterCommit.run(tx.em, () =>
        changes.size > 0 ? this.jobs.apply(changes.changes()) : Promise.resolve(),
      );
      return changes;
    });
  }
}
