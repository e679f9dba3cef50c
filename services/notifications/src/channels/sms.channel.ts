import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ContactDirectory } from './contacts/customer-contacts';
import {
  PermanentDeliveryError,
  type ChannelReceipt,
  type OutgoingReminder,
  type ReminderChannel,
  type SendOptions,
} from './reminder-channel';

/** One text message for a provider. */
export interface SmsMessage {
  readonly reminderId: string;
  /** E.164, e.g. +8613800138000. */
  readonly phone: string;
  readonly text: string;
}

export interface SmsReceipt {
  readonly providerMessageId: string;
  readonly response: string;
}

/**
 * An SMS provider (Aliyun SMS, Tencent Cloud SMS, Twilio...): resolves once the provider accepted
 * the message, rejects (PermanentDeliveryError for a refusal that will not pass) otherwise.
 */
export interface SmsAdapter {
  readonly name: string;
  send(message: SmsMessage, options?: SendOptions): Promise<SmsReceipt>;
}

/**
 * The development adapter: nothing is sent anywhere; each message is RECORDED in the sms_messages
 * table (and the delivery log says adapter "record"), so a developer or a test can read what would
 * have gone out. It never claims a provider accepted anything.
 */
export class RecordingSmsAdapter implements SmsAdapter {
  readonly name = 'record';

  constructor(private readonly dataSource: DataSource) {}

  async send(message: SmsMessage): Promise<SmsReceipt> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO sms_messages (id, reminder_id, phone, text, adapter) VALUES ($1, $2, $3, $4, $5)`,
      [id, message.reminderId, message.phone, message.text, this.name],
    );
    return { providerMessageId: `record:${id}`, response: 'recorded in sms_messages (development adapter)' };
  }
}

const E164 = /^\+[1-9][0-9]{6,14}$/;
/** Longest text sent: four concatenated UCS-2 segments (Chinese text is UCS-2). */
const MAX_SMS_CHARS = 4 * 67;

/**
 * SMS to the first contact with a valid E.164 number, through the configured adapter. The text is
 * the reminder's subject (number, due date or days overdue, in the customer's language).
 */
export class SmsChannel implements ReminderChannel {
  readonly name = 'sms';
  readonly idempotent = false;

  constructor(
    private readonly adapter: SmsAdapter,
    private readonly contacts: ContactDirectory,
  ) {}

  async send(message: OutgoingReminder, options: SendOptions = {}): Promise<ChannelReceipt> {
    const phone = (await this.contacts.contactsOf(message.customerId))
      .map((c) => c.phone.replace(/[\s-]/g, ''))
      .find((p) => E164.test(p));
    if (phone === undefined) {
      throw new PermanentDeliveryError(
        `customer ${message.customerId} has no contact with an E.164 phone number`,
      );
    }
    const receipt = await this.adapter.send(
      { reminderId: message.reminderId, phone, text: message.subject.slice(0, MAX_SMS_CHARS) },
      options,
    );
    return {
      channelMessageId: receipt.providerMessageId,
      response: `${this.adapter.name}: ${receipt.response}`,
      recipient: phone,
    };
  }
}
