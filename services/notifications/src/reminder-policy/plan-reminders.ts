import { reminderTime, type ReminderPolicy } from './reminder-policy';
import type { LocalDate } from './zoned-time';

export const REMINDER_STATUSES = [
  'scheduled',
  'sending',
  'sent',
  'unconfirmed',
  'cancelled',
  'skipped',
] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

/**
 * A reminder that went out, or may have: sent, being sent (claimed by a worker, its outcome not
 * recorded yet), or unconfirmed. Planning leaves its level alone, as done.
 */
export function wentOut(status: ReminderStatus): boolean {
  return status === 'sent' || status === 'sending' || status === 'unconfirmed';
}

/** Why a reminder ended without being sent (the contract's CancellationReason, in snake case). */
export type CancelReason =
  'invoice_paid' | 'invoice_voided' | 'due_date_changed' | 'policy_changed' | 'delivery_failed';

/** The reason stored on a level that was already in the past when it was planned. */
export const SKIPPED_REASON = 'time_passed';

/** A reminder row of the invoice, as the planner needs to see it. */
export interface ExistingReminder {
  readonly id: string;
  readonly level: number;
  readonly offsetDays: number;
  readonly status: ReminderStatus;
  readonly scheduledFor: Date;
  readonly customerId: string;
}

/** Whether an invoice should be chased at all, from its projection (see invoice-standing.ts). */
export type InvoiceStanding =
  | { readonly remindable: true; readonly customerId: string; readonly dueDate: LocalDate }
  | { readonly remindable: false; readonly reason: CancelReason; readonly detail: string };

export interface PlanInput {
  readonly policy: ReminderPolicy;
  readonly standing: InvoiceStanding;
  /** The customer's zone (already defaulted to UTC when unknown). */
  readonly timeZone: string;
  readonly now: Date;
  readonly existing: readonly ExistingReminder[];
  /** Detail for steps cancelled because their new time is already past. */
  readonly reanchorDetail?: string;
}

export type PlanAction =
  | {
      readonly kind: 'create';
      readonly level: number;
      readonly offsetDays: number;
      readonly scheduledFor: Date;
      readonly status: 'scheduled' | 'skipped';
    }
  /** A scheduled (or skipped) reminder keeps its id and gets a new time or customer. */
  | {
      readonly kind: 'reschedule';
      readonly id: string;
      readonly level: number;
      readonly offsetDays: number;
      readonly scheduledFor: Date;
    }
  | {
      readonly kind: 'cancel';
      readonly id: string;
      readonly level: number;
      readonly reason: CancelReason;
      readonly detail: string;
    };

/**
 * What has to change in an invoice's reminders so that they match its current state. Pure and
 * idempotent: planning again right after applying the actions yields no actions, so every
 * event about the invoice (issued, changed, paid, voided, a new customer time zone) can simply
 * re-plan from the projection.
 *
 * Per policy step, at time T (the step's instant in the customer's zone):
 * - a closed invoice (paid, void, nothing open) cancels every scheduled reminder;
 * - a sent step is done, and so is one being sent or unconfirmed (see `wentOut`);
 * - a scheduled step keeps its id: unchanged if T is its time, moved to T if T is still ahead
 *   (re-anchored), cancelled if T is already past (the due date moved back over it);
 * - a skipped step is revived at T if T is ahead again (the due date moved forward);
 * - a step with no reminder, or only cancelled ones (the invoice was reopened), gets a new
 *   reminder at T: scheduled if T is ahead, skipped if past (skipped only when it had none).
 * A scheduled reminder whose level the policy no longer has is cancelled.
 */
export function planReminders(input: PlanInput): PlanAction[] {
  const { policy, standing, now, existing } = input;
  const scheduled = existing.filter((r) => r.status === 'scheduled');
  if (!standing.remindable) {
    return scheduled.map((r) => ({
      kind: 'cancel',
      id: r.id,
      level: r.level,
      reason: standing.reason,
      detail: standing.detail,
    }));
  }
  const actions: PlanAction[] = [];
  const levels = new Set(policy.steps.map((s) => s.level));
  for (const r of scheduled) {
    if (!levels.has(r.level)) {
      actions.push({
        kind: 'cancel',
        id: r.id,
        level: r.level,
        reason: 'policy_changed',
        detail: `the reminder policy "${policy.id}" has no level ${r.level}`,
      });
    }
  }
  for (const step of policy.steps) {
    const at = reminderTime(policy, step, standing.dueDate, input.timeZone);
    const ahead = at.getTime() >= now.getTime();
    const rows = existing.filter((r) => r.level === step.level);
    if (rows.some((r) => wentOut(r.status))) continue;
    const live = rows.find((r) => r.status === 'scheduled');
    if (live !== undefined) {
      const sameTime = live.scheduledFor.getTime() === at.getTime();
      if (sameTime && live.customerId === standing.customerId && live.offsetDays === step.offsetDays)
        continue;
      if (sameTime || ahead) {
        actions.push({
          kind: 'reschedule',
          id: live.id,
          level: step.level,
          offsetDays: step.offsetDays,
          scheduledFor: at,
        });
      } else {
        actions.push({
          kind: 'cancel',
          id: live.id,
          level: step.level,
          reason: 'due_date_changed',
          detail: input.reanchorDetail ?? `the due date moved; the new time ${at.toISOString()} has passed`,
        });
      }
      continue;
    }
    const skipped = rows.find((r) => r.status === 'skipped');
    if (skipped !== undefined) {
      if (ahead) {
        actions.push({
          kind: 'reschedule',
          id: skipped.id,
          level: step.level,
          offsetDays: step.offsetDays,
          scheduledFor: at,
        });
      }
      continue;
    }
    if (rows.length === 0 || ahead) {
      actions.push({
        kind: 'create',
        level: step.level,
        offsetDays: step.offsetDays,
        scheduledFor: at,
        status: ahead ? 'scheduled' : 'skipped',
      });
    }
  }
  return actions;
}
