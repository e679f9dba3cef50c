import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CancelReason, ExistingReminder, ReminderStatus } from '../reminder-policy/plan-reminders';
import type { ReminderChannelName } from './reminder.entity';

/** A reminder row as planning reads and writes it (all of it a plan may change). */
export interface PlannedReminder extends ExistingReminder {
  readonly invoiceId: string;
  readonly policyId: string;
  readonly channel: ReminderChannelName;
  /** Why it was cancelled or skipped; null otherwise. */
  readonly reason: string | null;
  readonly cancelledAt: Date | null;
}

interface ReminderRow {
  id: string;
  invoice_id: string;
  customer_id: string;
  policy_id: string;
  level: number;
  offset_days: number;
  status: ReminderStatus;
  scheduled_for: Date;
  channel: ReminderChannelName;
  reason: string | null;
  cancelled_at: Date | null;
}

/**
 * SQL of the reminder schedules, inside the caller's transaction (the invoices' rows locked).
 * Each method is one statement whatever the number of rows and invoices, so planning a batch
 * costs a fixed number of round trips.
 */
@Injectable()
export class ReminderRepository {
  /**
   * The invoices' reminders, locked, by invoice and in level order (oldest first within a level).
   * Must run after the invoices were locked, in a statement of its own: a reminder written by a
   * transaction that held an invoice's lock before us is then seen (READ COMMITTED takes a
   * snapshot per statement). A reminder a worker is sending holds its row lock: this waits for it
   * and reads it as the worker left it.
   */
  async lockOfInvoices(em: EntityManager, invoiceIds: readonly string[]): Promise<PlannedReminder[]> {
    if (invoiceIds.length === 0) return [];
    const rows: ReminderRow[] = await em.query(
      `SELECT id, invoice_id, customer_id, policy_id, level, offset_days, status, scheduled_for, channel,
              reason, cancelled_at
         FROM reminders WHERE invoice_id = ANY($1::text[])
        ORDER BY invoice_id, level, created_at
          FOR UPDATE`,
      [invoiceIds],
    );
    return rows.map(toPlanned);
  }

  async insertAll(em: EntityManager, reminders: readonly PlannedReminder[]): Promise<void> {
    if (reminders.length === 0) return;
    await em.query(
      `INSERT INTO reminders
         (id, invoice_id, customer_id, policy_id, channel, level, offset_days, scheduled_for, status,
          reason, cancelled_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                            $7::int[], $8::timestamptz[], $9::text[], $10::text[], $11::timestamptz[])`,
      [
        reminders.map((r) => r.id),
        reminders.map((r) => r.invoiceId),
        reminders.map((r) => r.customerId),
        reminders.map((r) => r.policyId),
        reminders.map((r) => r.channel),
        reminders.map((r) => r.level),
        reminders.map((r) => r.offsetDays),
        reminders.map((r) => r.scheduledFor.toISOString()),
        reminders.map((r) => r.status),
        reminders.map((r) => r.reason),
        reminders.map((r) => r.cancelledAt?.toISOString() ?? null),
      ],
    );
  }

  /**
   * Writes the new state of existing reminders (re-anchored, revived, cancelled — or several of
   * those in turn: the state after the last). Run it before `insertAll` of the same plans, so that
   * a level's slot (at most one reminder per level that is not cancelled) is free before anything
   * is created there.
   */
  async updateAll(em: EntityManager, reminders: readonly PlannedReminder[], now: Date): Promise<void> {
    if (reminders.length === 0) return;
    await em.query(
      `UPDATE reminders r
          SET customer_id = t.customer_id, policy_id = t.policy_id, offset_days = t.offset_days,
              scheduled_for = t.scheduled_for, status = t.status, reason = t.reason,
              cancelled_at = t.cancelled_at, updated_at = $1
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::text[],
                     $8::text[], $9::timestamptz[])
           AS t(id, customer_id, policy_id, offset_days, scheduled_for, status, reason, cancelled_at)
        WHERE r.id = t.id`,
      [
        now,
        reminders.map((r) => r.id),
        reminders.map((r) => r.customerId),
        reminders.map((r) => r.policyId),
        reminders.map((r) => r.offsetDays),
        reminders.map((r) => r.scheduledFor.toISOString()),
        reminders.map((r) => r.status),
        reminders.map((r) => r.reason),
        reminders.map((r) => r.cancelledAt?.toISOString() ?? null),
      ],
    );
  }

  /**
   * Cancels every reminder of each invoice that is still scheduled, for the invoice's reason, and
   * returns them as they now are, by invoice and level. Finds the rows itself instead of reading
   * them first. A reminder a worker is sending holds its row lock: this waits for it and then
   * leaves it alone if it went out.
   */
  async cancelScheduledOfInvoices(
    em: EntityManager,
    invoices: readonly { invoiceId: string; reason: CancelReason }[],
    now: Date,
  ): Promise<PlannedReminder[]> {
    if (invoices.length === 0) return [];
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [ReminderRow[], number] = await em.query(
      `UPDATE reminders r
          SET status = 'cancelled', reason = t.reason, cancelled_at = $1, updated_at = $1
         FROM unnest($2::text[], $3::text[]) AS t(invoice_id, reason)
        WHERE r.invoice_id = t.invoice_id AND r.status = 'scheduled'
        RETURNING r.id, r.invoice_id, r.customer_id, r.policy_id, r.level, r.offset_days, r.status,
                  r.scheduled_for, r.channel, r.reason, r.cancelled_at`,
      [now, invoices.map((i) => i.invoiceId), invoices.map((i) => i.reason)],
    );
    return rows
      .map(toPlanned)
      .sort((a, b) => (a.invoiceId === b.invoiceId ? a.level - b.level : a.invoiceId < b.invoiceId ? -1 : 1));
  }
}

function toPlanned(r: ReminderRow): PlannedReminder {
  return {
    id: r.id,
    invoiceId: r.invoice_id,
    customerId: r.customer_id,
    policyId: r.policy_id,
    level: r.level,
    offsetDays: r.offset_days,
    status: r.status,
    scheduledFor: r.scheduled_for,
    channel: r.channel,
    reason: r.reason,
    cancelledAt: r.cancelled_at,
  };
}
