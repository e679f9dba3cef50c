import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { ContactDirectory } from './contacts/customer-contacts';
import {
  PermanentDeliveryError,
  type ChannelReceipt,
  type OutgoingReminder,
  type ReminderChannel,
  type SendOptions,
} from './reminder-channel';

export interface EmailChannelOptions {
  /** smtp://user:pass@host:port (STARTTLS when the server offers it) or smtps:// (TLS from the start). */
  readonly smtpUrl: string;
  /** The From header, e.g. `Duemap AR <ar@example.com>`. */
  readonly from: string;
  /** Connection, greeting and socket timeouts of the SMTP client. */
  readonly timeoutMs: number;
  /** At most this many addresses per reminder (the customer's first contacts with an email). */
  readonly maxRecipients?: number;
}

/** What nodemailer puts on an error the SMTP server caused. */
interface SmtpError extends Error {
  readonly responseCode?: number;
  readonly response?: string;
  readonly code?: string;
}

/** SMTP options from the URL: credentials decoded, smtps: means TLS from the first byte. */
export function smtpOptionsFromUrl(smtpUrl: string, timeoutMs: number): SMTPPool.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    pool: true,
    maxConnections: 5,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

/**
 * Email over SMTP (nodemailer, pooled connections): one message per reminder to the customer's
 * contacts with an email address, a text and an HTML part in the customer's language. Accepted when
 * the server accepted at least one recipient. An SMTP 5xx (permanent per RFC 5321: unknown mailbox,
 * refused content) and a customer without an address are permanent failures; a 4xx, a lost
 * connection or a timeout are retried.
 */
export class EmailChannel implements ReminderChannel {
  readonly name = 'email';
  // A mailbox cannot deduplicate: never sent again when it is not known whether it went out.
  readonly idempotent = false;
  private readonly transport: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;

  constructor(
    private readonly options: EmailChannelOptions,
    private readonly contacts: ContactDirectory,
  ) {
    this.transport = createTransport(smtpOptionsFromUrl(options.smtpUrl, options.timeoutMs));
  }

  async send(message: OutgoingReminder, _options: SendOptions = {}): Promise<ChannelReceipt> {
    const to = await this.recipients(message.customerId);
    if (to.length === 0) {
      throw new PermanentDeliveryError(`customer ${message.customerId} has no contact with an email address`);
    }
    const recipient = to.join(', ');
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to,
        subject: message.subject,
        text: message.body,
        ...(message.html !== undefined ? { html: message.html } : {}),
        headers: {
          'X-Duemap-Reminder-Id': message.reminderId,
          'X-Duemap-Invoice-Id': message.invoiceId,
          // Mail clients show the language; screen readers pick their voice by it.
          'Content-Language': message.locale,
        },
      });
      return { channelMessageId: info.messageId, response: info.response, recipient };
    } catch (err) {
      const smtp = err as SmtpError;
      if (typeof smtp.responseCode === 'number' && smtp.responseCode >= 500) {
        throw new PermanentDeliveryError(`the SMTP server refused it: ${smtp.message}`, smtp.response, {
          cause: err,
        });
      }
      throw err;
    }
  }

  close(): void {
    this.transport.close();
  }

  private async recipients(customerId: string): Promise<string[]> {
    const emails = (await this.contacts.contactsOf(customerId)).map((c) => c.email).filter((e) => e !== '');
    return [...new Set(emails)].slice(0, this.options.maxRecipients ?? 5);
  }
}
