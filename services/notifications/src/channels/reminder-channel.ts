import type { TemplateLocale } from './reminder-templates';

/** A rendered reminder, ready for a channel. */
export interface OutgoingReminder {
  readonly reminderId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly level: number;
  readonly locale: TemplateLocale;
  readonly subject: string;
  readonly body: string;
}

export interface ChannelReceipt {
  /** The id the channel gave the message (SMTP Message-ID, SMS provider id), for tracing. */
  readonly channelMessageId: string;
}

/**
 * Where reminders go out. `send` resolves once the channel accepted the message ("sent" in
 * reminder-sent) and rejects when it did not; the worker retries, then cancels the reminder as
 * delivery_failed.
 */
export interface ReminderChannel {
  readonly name: string;
  send(message: OutgoingReminder): Promise<ChannelReceipt>;
}

/** Injection token of the active ReminderChannel. */
export const REMINDER_CHANNEL = 'NOTIFICATIONS_REMINDER_CHANNEL';
