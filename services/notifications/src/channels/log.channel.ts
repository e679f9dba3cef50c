import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVICE_LOGGER } from '../common/logger';
import type { ChannelReceipt, OutgoingReminder, ReminderChannel } from './reminder-channel';

/**
 * Stands in for email until SMTP delivery exists: writes the rendered reminder to the service
 * log (one JSON line, message "reminder delivered") and accepts it.
 */
@Injectable()
export class LogChannel implements ReminderChannel {
  readonly name = 'log';
  // It stands in for email, which a receiver cannot deduplicate: never resent when in doubt.
  readonly idempotent = false;

  constructor(@Inject(SERVICE_LOGGER) private readonly logger: Logger) {}

  send(message: OutgoingReminder): Promise<ChannelReceipt> {
    this.logger.info(
      {
        channel: this.name,
        reminderId: message.reminderId,
        invoiceId: message.invoiceId,
        customerId: message.customerId,
        level: message.level,
        locale: message.locale,
        subject: message.subject,
        body: message.body,
      },
      'reminder delivered',
    );
    return Promise.resolve({ channelMessageId: `log:${message.reminderId}` });
  }
}
