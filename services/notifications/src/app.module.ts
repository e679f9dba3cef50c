import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { ServicePlatformModule } from '@duemap/http';
import type { Logger } from 'pino';
import { CommonModule } from './common/common.module';
import { redisOptionsFromUrl } from './common/redis';
import type { NotificationsConfig } from './config';
import { CustomersModule } from './customers/customers.module';
import { dataSourceOptions } from './database/data-source';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { InvoicesModule } from './invoices/invoices.module';
import { PaymentSettlementsModule } from './payment-settlements/payment-settlements.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { ReminderQueueModule } from './reminders/reminder-queue.module';
import { RemindersModule } from './reminders/reminders.module';

@Module({})
export class AppModule {
  static register(config: NotificationsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forService({
          config,
          logger,
          dataSource: dataSourceOptions(config.DATABASE_URL),
        }),
        BullModule.forRoot({
          connection: redisOptionsFromUrl(config.REDIS_URL),
          prefix: config.QUEUE_PREFIX,
        }),
        CommonModule.forRoot(logger),
        ReminderQueueModule,
        RemindersModule,
        InvoicesModule,
        PaymentSettlementsModule,
        CustomersModule,
        DeliveriesModule,
        SubscriptionsModule,
      ],
    };
  }
}
