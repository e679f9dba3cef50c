import type { ReminderChannelName } from '../reminders/reminder.entity';
import { addDays, zonedTimeToInstant, type LocalDate, type LocalTime } from './zoned-time';

/** One dunning step: reminder number `level`, `offsetDays` from the due date (negative = before). */
export interface ReminderStep {
  readonly level: number;
  readonly offsetDays: number;
  /** Where this step's reminder goes; email when not given. */
  readonly channel?: ReminderChannelName;
}

/** Which steps an invoice gets and at what time of the customer's day they go out. */
export interface ReminderPolicy {
  /** Carried in reminder-scheduled as policy_id. */
  readonly id: string;
  readonly steps: readonly ReminderStep[];
  /** Wall-clock time in the customer's time zone. */
  readonly sendAt: LocalTime;
}

/**
 * The policy every customer gets until tiers have their own: a friendly notice three days
 * before the due date, one on the day, then +7, +14 and +30 days, each at 09:00 local time.
 */
export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  id: 'default',
  steps: [
    { level: 1, offsetDays: -3 },
    { level: 2, offsetDays: 0 },
    { level: 3, offsetDays: 7 },
    { level: 4, offsetDays: 14 },
    { level: 5, offsetDays: 30 },
  ],
  sendAt: { hour: 9, minute: 0 },
};

/** Customer tiers as the notifications read model stores them. */
export type CustomerTier = 'standard' | 'vip';

/** The policy for a tier. One policy for now; the seam where per-tier policies will plug in. */
export function policyForTier(_tier: CustomerTier | null | undefined): ReminderPolicy {
  return DEFAULT_REMINDER_POLICY;
}

/** When `step` of `policy` is due for an invoice due on `dueDate`, for a customer in `timeZone`. */
export function reminderTime(
  policy: ReminderPolicy,
  step: ReminderStep,
  dueDate: LocalDate,
  timeZone: string,
): Date {
  return zonedTimeToInstant(addDays(dueDate, step.offsetDays), policy.sendAt, timeZone);
}
