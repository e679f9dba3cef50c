import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { CONFIG } from '@duemap/config';
import { checkOutboundUrl, parseHostList } from '@duemap/http';
import type { DataSource } from 'typeorm';
import type { NotificationsConfig } from '../config';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { DeliveryLog } from '../deliveries/delivery-log';
import { ChannelRouter } from './channel-router';
import { CustomerContacts } from './contacts/customer-contacts';
import { ProjectCustomerContactsUseCase } from './contacts/project-customer-contacts.usecase';
import { EmailChannel } from './email.channel';
import { LogChannel } from './log.channel';
import { REMINDER_CHANNEL, type ReminderChannel } from './reminder-channel';
import { RecordingSmsAdapter, SmsChannel } from './sms.channel';
import { WebhookChannel } from './webhook.channel';

/** The transports the router was built with, closed at shutdown (the SMTP pool). */
const TRANSPORTS = 'NOTIFICATIONS_REMINDER_TRANSPORTS';

@Injectable()
class TransportsShutdown implements OnApplicationShutdown {
  constructor(@Inject(TRANSPORTS) private readonly transports: ReminderChannel[]) {}

  onApplicationShutdown(): void {
    for (const t of this.transports) if (t instanceof EmailChannel) t.close();
  }
}

/**
 * The reminders' channel: a router over email (SMTP when SMTP_URL is set), SMS (SMS_ADAPTER) and
 * the webhook (REMINDER_WEBHOOK_URL), writing the delivery log. Email without SMTP goes to the
 * webhook when one is set, else to the log; a webhook step without a URL goes to the log.
 */
@Module({
  imports: [DeliveriesModule],
  providers: [
    LogChannel,
    CustomerContacts,
    ProjectCustomerContactsUseCase,
    {
      provide: TRANSPORTS,
      inject: [CONFIG, LogChannel, CustomerContacts, getDataSourceToken()],
      // A URL aimed at an internal address fails the boot rather than the first reminder.
      useFactory: async (
        config: NotificationsConfig,
        log: LogChannel,
        contacts: CustomerContacts,
        dataSource: DataSource,
      ): Promise<ReminderChannel[]> => {
        let webhook: ReminderChannel | undefined;
        if (config.REMINDER_WEBHOOK_URL !== undefined) {
          const outbound = {
            allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
            allowHosts: parseHostList(config.OUTBOUND_ALLOW_HOSTS),
          };
          await checkOutboundUrl(config.REMINDER_WEBHOOK_URL, outbound);
          webhook = new WebhookChannel({
            url: config.REMINDER_WEBHOOK_URL,
            timeoutMs: config.REMINDER_SEND_TIMEOUT,
            outbound,
          });
        }
        const email =
          config.SMTP_URL !== undefined
            ? new EmailChannel(
                { smtpUrl: config.SMTP_URL, from: config.SMTP_FROM, timeoutMs: config.REMINDER_SEND_TIMEOUT },
                contacts,
              )
            : (webhook ?? log);
        const sms = new SmsChannel(new RecordingSmsAdapter(dataSource), contacts);
        return [email, sms, webhook ?? log];
      },
    },
    {
      provide: REMINDER_CHANNEL,
      inject: [CONFIG, TRANSPORTS, DeliveryLog],
      useFactory: (config: NotificationsConfig, transports: ReminderChannel[], log: DeliveryLog) => {
        const [email, sms, webhook] = transports as [ReminderChannel, ReminderChannel, ReminderChannel];
        return new ChannelRouter({
          routes: { email, sms, webhook },
          log,
          retryDelayMs: config.REMINDER_RETRY_DELAY,
        });
      },
    },
    TransportsShutdown,
  ],
  exports: [REMINDER_CHANNEL, ProjectCustomerContactsUseCase],
})
export class ReminderChannelsModule {}
