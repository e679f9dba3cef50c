import type { Job, Queue } from 'bullmq';

// Queue and job names are stored in Redis with every job: string constants, never a class name,
// so renaming code can never orphan jobs that are already queued.

/** The BullMQ queue of reminders waiting for their time (keys `<QUEUE_PREFIX>:reminders:*`). */
export const REMINDER_QUEUE = 'reminders';

export const ReminderJobName = {
  /** Fires at the reminder's scheduled_for; job id = reminder id. */
  Send: 'send-reminder',
} as const;
export type ReminderJobName = (typeof ReminderJobName)[keyof typeof ReminderJobName];

/** Payload of each job name. */
export interface ReminderJobPayloads {
  [ReminderJobName.Send]: {
    reminderId: string;
    /**
     * scheduled_for (RFC 3339) the job was added for. When the reminder was re-anchored since,
     * the row disagrees and the worker moves the job to the new time instead of sending.
     */
    scheduledFor: string;
  };
}

export type SendReminderPayload = ReminderJobPayloads[typeof ReminderJobName.Send];

export type ReminderQueue = Queue<SendReminderPayload, string, ReminderJobName>;
export type ReminderJob = Job<SendReminderPayload, string, ReminderJobName>;
