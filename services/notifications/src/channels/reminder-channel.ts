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

export interface SendOptions {
  /** Aborted when the sender stops waiting (its send timeout): give up the delivery. */
  readonly signal?: AbortSignal;
}

/**
 * Where reminders go out. `send` resolves once the channel accepted the message ("sent" in
 * reminder-sent) and rejects when it did not; the worker retries, then cancels the reminder as
 * delivery_failed.
 */
export interface ReminderChannel {
  readonly name: string;
  /**
   * Whether sending the same reminder again is harmless because the receiver recognises it (the
   * reminder id travels as an idempotency key). Only such a channel gets a reminder again when it
   * is not known whether an earlier try reached it (a timeout, a crash before the outcome was
   * recorded); any other marks the reminder unconfirmed for a person to check.
   */
  readonly idempotent: boolean;
  send(message: OutgoingReminder, options?: SendOptions): Promise<ChannelReceipt>;
}

/** Injection token of the active ReminderChannel. */
export const REMINDER_CHANNEL = 'NOTIFICATIONS_REMINDER_CHANNEL';
