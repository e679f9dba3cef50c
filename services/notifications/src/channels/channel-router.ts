import type { DeliveryLog } from '../deliveries/delivery-log';
import type { ReminderChannelName } from '../reminders/reminder.entity';
import {
  isPermanentDeliveryError,
  type ChannelReceipt,
  type OutgoingReminder,
  type ReminderChannel,
  type SendOptions,
} from './reminder-channel';

export interface ChannelRouterOptions {
  /** The transport of each channel a policy step can name. */
  readonly routes: Readonly<Record<ReminderChannelName, ReminderChannel>>;
  readonly log: Pick<DeliveryLog, 'begin' | 'finish'>;
  /** First retry delay (REMINDER_RETRY_DELAY), doubled per attempt like the queue's backoff. */
  readonly retryDelayMs: number;
  readonly now?: () => Date;
}

/**
 * The reminders' channel as the worker sees it: hands each reminder to the transport of the
 * channel its policy step chose (email over SMTP, SMS through the adapter, the webhook; a
 * transport that is not configured falls back as ReminderChannelsModule decides), and writes every
 * attempt and its outcome to the delivery log.
 */
export class ChannelRouter implements ReminderChannel {
  private readonly now: () => Date;

  constructor(private readonly options: ChannelRouterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The email transport's name: what most reminders use. */
  get name(): string {
    return this.options.routes.email.name;
  }

  /** Only when every transport may be asked twice; idempotentFor answers per reminder. */
  get idempotent(): boolean {
    return Object.values(this.options.routes).every((c) => c.idempotent);
  }

  idempotentFor(channel: ReminderChannelName | undefined): boolean {
    return this.route(channel).idempotent;
  }

  async send(message: OutgoingReminder, options: SendOptions = {}): Promise<ChannelReceipt> {
    const channel = this.route(message.channel);
    const { log } = this.options;
    const attempt = await log.begin(
      {
        reminderId: message.reminderId,
        invoiceId: message.invoiceId,
        customerId: message.customerId,
        level: message.level,
        channel: channel.name,
      },
      this.now(),
    );
    let receipt: ChannelReceipt;
    try {
      receipt = await channel.send(message, options);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const response = isPermanentDeliveryError(err) ? err.response : undefined;
      if (options.signal?.aborted === true && !channel.idempotent) {
        await log.finish(message.reminderId, { status: 'unconfirmed', error, providerResponse: response });
      } else if (isPermanentDeliveryError(err) || options.final === true) {
        await log.finish(message.reminderId, { status: 'failed', error, providerResponse: response });
      } else {
        const nextAttemptAt = new Date(this.now().getTime() + this.options.retryDelayMs * 2 ** (attempt - 1));
        await log.finish(message.reminderId, {
          status: 'retrying',
          error,
          providerResponse: response,
          nextAttemptAt,
        });
      }
      throw err;
    }
    await log.finish(message.reminderId, {
      status: 'sent',
      recipient: receipt.recipient,
      providerMessageId: receipt.channelMessageId,
      providerResponse: receipt.response,
    });
    return receipt;
  }

  private route(channel: ReminderChannelName | undefined): ReminderChannel {
    return this.options.routes[channel ?? 'email'];
  }
}
