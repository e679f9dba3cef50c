import { randomUUID } from 'node:crypto';
import { checkOutboundUrl, type OutboundPolicy } from '@duemap/http';
import type { ChannelReceipt, OutgoingReminder, ReminderChannel, SendOptions } from './reminder-channel';

export interface WebhookChannelOptions {
  /** Where each reminder is POSTed (REMINDER_WEBHOOK_URL). */
  readonly url: string;
  /** Longest a delivery may take, answer included; the request is aborted past it. */
  readonly timeoutMs: number;
  /**
   * Which addresses the URL may reach (OUTBOUND_ALLOW_PRIVATE / OUTBOUND_ALLOW_HOSTS); by default
   * public ones only. Checked before every send, since the name can be re-pointed after boot.
   */
  readonly outbound?: OutboundPolicy;
}

/** The receiver answered, but not with 2xx: the reminder was not accepted. */
export class WebhookRefusedError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`the webhook answered ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'WebhookRefusedError';
  }
}

/**
 * Delivers a reminder as one JSON POST to a configured URL, for an outside system (a mailer, a CRM,
 * a collector's app) to act on. `Idempotency-Key` is the reminder id, the same on every try, so the
 * receiver can recognise a reminder it already has: the worker may send again when it cannot know
 * whether a try arrived (a timeout, a crash before the outcome was recorded). Accepted only on a
 * 2xx answer; the message id is the one the receiver gives (`id` or `messageId` in a JSON body, or
 * an `X-Request-Id` answer header), else the request id sent.
 */
export class WebhookChannel implements ReminderChannel {
  readonly name = 'webhook';
  readonly idempotent = true;

  constructor(private readonly options: WebhookChannelOptions) {}

  async send(message: OutgoingReminder, options: SendOptions = {}): Promise<ChannelReceipt> {
    // The name is resolved again by fetch itself, so a record changed in between (DNS rebinding)
    // is not covered; refusing what it resolves to now still stops a URL aimed inside.
    await checkOutboundUrl(this.options.url, this.options.outbound);
    const requestId = randomUUID();
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const res = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': message.reminderId,
        'x-request-id': requestId,
      },
      body: JSON.stringify({
        reminderId: message.reminderId,
        invoiceId: message.invoiceId,
        customerId: message.customerId,
        level: message.level,
        locale: message.locale,
        subject: message.subject,
        body: message.body,
      }),
      signal,
    });
    // Read to the end either way: the connection goes back to the pool, and the timeout covers it.
    const text = await res.text();
    if (!res.ok) throw new WebhookRefusedError(res.status, text.slice(0, 200));
    return { channelMessageId: messageIdOf(text) ?? res.headers.get('x-request-id') ?? requestId };
  }
}

function messageIdOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const { id, messageId } = body as { id?: unknown; messageId?: unknown };
    if (typeof messageId === 'string' && messageId) return messageId;
    if (typeof id === 'string' && id) return id;
    return undefined;
  } catch {
    return undefined;
  }
}
