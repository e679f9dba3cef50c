import type { ReminderChannelName } from '../reminders/reminder.entity';
import type { TemplateLocale } from './reminder-templates';

/** A rendered reminder, ready for a channel. */
export interface OutgoingReminder {
  readonly reminderId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly level: number;
  /** The channel the policy chose for this step; a router hands it to the matching transport. */
  readonly channel?: ReminderChannelName;
  readonly locale: TemplateLocale;
  readonly subject: string;
  /** Plain text. */
  readonly body: string;
  /** The same reminder as an HTML document (email); absent where only text is sent. */
  readonly html?: string;
}

export interface ChannelReceipt {
  /** The id the channel gave the message (SMTP Message-ID, SMS provider id), for tracing. */
  readonly channelMessageId: string;
  /** What the provider answered (SMTP reply line, HTTP status and body), for the delivery log. */
  readonly response?: string;
  /** Who it went to (email addresses, a phone number, a URL), for the delivery log. */
  readonly recipient?: string;
}

export interface SendOptions {
  /** Aborted when the sender stops waiting (its send timeout): give up the delivery. */
  readonly signal?: AbortSignal;
  /** The queue will not try again after this attempt: a failure now is the final one. */
  readonly final?: boolean;
}

/**
 * The channel refused the message for a reason that does not pass with time (an SMTP 5xx reply,
 * no address to send to): it is recorded as failed and never sent again, whatever attempts are
 * left. Any other error is retried with backoff.
 */
export class PermanentDeliveryError extends Error {
  constructor(
    message: string,
    /** What the provider answered, when it answered. */
    readonly response?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

export function isPermanentDeliveryError(err: unknown): err is PermanentDeliveryError {
  return err instanceof PermanentDeliveryError;
}

/**
 * Where reminders go out. `send` resolves once the channel accepted the message ("sent" in
 * reminder-sent) and rejects when it did not; the worker retries, then cancels the reminder as
 * delivery_failed (at once on a PermanentDeliveryError).
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
  /** Per reminder channel, for a channel that routes to several transports (ChannelRouter). */
  idempotentFor?(channel: ReminderChannelName | undefined): boolean;
  send(message: OutgoingReminder, options?: SendOptions): Promise<ChannelReceipt>;
}

/** Whether a reminder on `route` may be sent again through `channel` when its outcome is unknown. */
export function idempotentFor(channel: ReminderChannel, route: ReminderChannelName | undefined): boolean {
  return channel.idempotentFor?.(route) ?? channel.idempotent;
}

/** Injection token of the active ReminderChannel. */
export const REMINDER_CHANNEL = 'NOTIFICATIONS_REMINDER_CHANNEL';
