import { placementMigrations } from '@duemap/auth';
import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CustomerContactsEntity } from '../channels/contacts/customer-contacts.entity';
import { CustomerEntity } from '../customers/customer.entity';
import { DeliveryEntity } from '../deliveries/delivery.entity';
import { InvoiceEntity } from '../invoices/invoice.entity';
import { ReminderEntity } from '../reminders/reminder.entity';
import {
  WebhookDeliveryEntity,
  WebhookSubscriptionEntity,
} from '../subscriptions/webhook-subscription.entity';
import { CreateReminders1763900000500 } from './migrations/1763900000500-create-reminders';
import { IndexScheduledRemindersOfInvoice1795500000000 } from './migrations/1795500000000-index-scheduled-reminders-of-invoice';
import { ClaimReminderSends1795700000400 } from './migrations/1795700000400-claim-reminder-sends';
import { AggregateVersions1796600000000 } from './migrations/1796600000000-aggregate-versions';
import { Deliveries1798400000000 } from './migrations/1798400000000-deliveries';
import { WebhookSubscriptions1798400000100 } from './migrations/1798400000100-webhook-subscriptions';
import { PaymentHolds1798600000000 } from './migrations/1798600000000-payment-holds';

/** Everything TypeORM knows of the notifications database; deploy/local migrates it with createDataSource. */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [
      ...messagingEntities,
      CustomerEntity,
      InvoiceEntity,
      ReminderEntity,
      CustomerContactsEntity,
      DeliveryEntity,
      WebhookSubscriptionEntity,
      WebhookDeliveryEntity,
    ],
    migrations: [
      ...messagingMigrations,
      CreateReminders1763900000500,
      IndexScheduledRemindersOfInvoice1795500000000,
      ClaimReminderSends1795700000400,
      AggregateVersions1796600000000,
      Deliveries1798400000000,
      WebhookSubscriptions1798400000100,
      PaymentHolds1798600000000,
      ...placementMigrations,
    ],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
