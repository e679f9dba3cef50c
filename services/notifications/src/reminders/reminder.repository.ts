import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CancelReason, ExistingReminder, ReminderStatus } from '../reminder-policy/plan-reminders';
import type { ReminderChannelName } from './reminder.entity';

/** A reminder row as planning reads it. */
export interface PlannedReminder extends ExistingReminder {
  readonly invoiceId: string;
  readonly channel: ReminderChannelName;
}

export interface NewReminder {
  readonly id: string;
  readonly level: number;
  readonly offsetDays: number;
  readonly scheduledFor: Date;
  readonly status: 'scheduled' | 'skipped';
  readonly reason: string | null;
}

export interface Rescheduled {
  readonly id: string;
  readonly offsetDays: number;
  readonly scheduledFor: Date;
}

/** A reminder the cancellation of an invoice's schedule ended. */
export interface CancelledReminder {
  readonly id: string;
  readonly customerId: string;
  readonly level: number;
}

interface ReminderRow {
  id: string;
  invoice_id: string;
  customer_id: string;
  level: number;
  offset_days: number;
  status: ReminderStatus;
  scheduled_for: Date;
  channel: ReminderChannelName;
}

/**
 * SQL of the reminder schedules, inside the caller's transaction (the invoice row locked). Each
 * method is one statement whatever the number of rows, so planning an invoice costs a fixed
 * number of round trips.
 */
@Injectable()
export class ReminderRepository {
  /** The invoice's reminders, locked, in level order (oldest first within a level). */
  async lockOfInvoice(em: EntityManager, invoiceId: string): Promise<PlannedReminder[]> {
    const rows: ReminderRow[] = await em.query(
      `SELECT id, invoice_id, customer_id, level, offset_days, status, scheduled_for, channel
         FROM reminders WHERE invoice_id = $1
        ORDER BY level, created_at
          FOR UPDATE`,
      [invoiceId],
    );
    return rows.map((r) => ({
      id: r.id,
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      level: r.level,
      offsetDays: r.offset_days,
      status: r.status,
      scheduledFor: r.scheduled_for,
      channel: r.channel,
    }));
  }

  async insertAll(
    em: EntityManager,
    of: { invoiceId: string; customerId: string; policyId: string; channel: ReminderChannelName },
    reminders: readonly NewReminder[],
  ): Promise<void> {
    if (reminders.length === 0) return;
    await em.query(
      `INSERT INTO reminders
         (id, invoice_id, customer_id, policy_id, channel, level, offset_days, scheduled_for, status, reason)
       SELECT t.id, $1, $2, $3, $4, t.level, t.offset_days, t.scheduled_for, t.status, t.reason
         FROM unnest($5::uuid[], $6::int[], $7::int[], $8::timestamptz[], $9::text[], $10::text[])
           AS t(id, level, offset_days, scheduled_for, status, reason)`,
      [
        of.invoiceId,
        of.customerId,
        of.policyId,
        of.channel,
        reminders.map((r) => r.id),
        reminders.map((r) => r.level),
        reminders.map((r) => r.offsetDays),
        reminders.map((r) => r.scheduledFor.toISOString()),
        reminders.map((r) => r.status),
        reminders.map((r) => r.reason),
      ],
    );
  }

  /** Schedules the reminders (again) at their new times, for the invoice's customer and policy. */
  async rescheduleAll(
    em: EntityManager,
    of: { customerId: string; policyId: string },
    reminders: readonly Rescheduled[],
    now: Date,
  ): Promise<void> {
    if (reminders.length === 0) return;
    await em.query(
      `UPDATE reminders r
          SET customer_id = $1, policy_id = $2, offset_days = t.offset_days,
              scheduled_for = t.scheduled_for, status = 'scheduled', reason = NULL, updated_at = $3
         FROM unnest($4::uuid[], $5::int[], $6::timestamptz[]) AS t(id, offset_days, scheduled_for)
        WHERE r.id = t.id`,
      [
        of.customerId,
        of.policyId,
        now,
        reminders.map((r) => r.id),
        reminders.map((r) => r.offsetDays),
        reminders.map((r) => r.scheduledFor.toISOString()),
      ],
    );
  }

  async cancelAll(
    em: EntityManager,
    reminders: readonly { id: string; reason: CancelReason }[],
    now: Date,
  ): Promise<void> {
    if (reminders.length === 0) return;
    await em.query(
      `UPDATE reminders r
          SET status = 'cancelled', reason = t.reason, cancelled_at = $1, updated_at = $1
         FROM unnest($2::uuid[], $3::text[]) AS t(id, reason)
        WHERE r.id = t.id`,
      [now, reminders.map((r) => r.id), reminders.map((r) => r.reason)],
    );
  }

  /**
   * Cancels every reminder of the invoice that is still scheduled and returns them in level
   * order. A reminder a worker is sending holds its row lock: this waits for it and then leaves
   * it alone if it went out.
   */
  async cancelScheduledOfInvoice(
    em: EntityManager,
    invoiceId: string,
    reason: CancelReason,
    now: Date,
  ): Promise<CancelledReminder[]> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ id: string; customer_id: string; level: number }[], number] = await em.query(
      `UPDATE reminders SET status = 'cancelled', reason = $2, cancelled_at = $3, updated_at = $3
        WHERE invoice_id = $1 AND status = 'scheduled'
        RETURNING id, customer_id, level`,
      [invoiceId, reason, now],
    );
    return rows
      .map((r) => ({ id: r.id, customerId: r.customer_id, level: r.level }))
      .sort((a, b) => a.level - b.level);
  }
}
