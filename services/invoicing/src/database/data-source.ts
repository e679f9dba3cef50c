import { placementMigrations } from '@duemap/auth';
import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CustomerEntity, CustomerSourceEntity } from '../customers/customer.entity';
import { AllocationRejectionEntity, InvoiceEntity, InvoicePaymentEntity } from '../invoices/invoice.entity';
import { CreateInvoicing1763900100000 } from './migrations/1763900100000-create-invoicing';
import { AggregateVersions1796600000000 } from './migrations/1796600000000-aggregate-versions';
import { PaymentReversals1797000000000 } from './migrations/1797000000000-payment-reversals';
import { InvoiceSourceVersion1798700000000 } from './migrations/1798700000000-invoice-source-version';

export const invoicingEntities = [
  InvoiceEntity,
  InvoicePaymentEntity,
  AllocationRejectionEntity,
  CustomerEntity,
  CustomerSourceEntity,
];

/** Everything TypeORM knows of the invoicing database; deploy/local migrates it with createDataSource. */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [...messagingEntities, ...invoicingEntities],
    migrations: [
      ...messagingMigrations,
      CreateInvoicing1763900100000,
      AggregateVersions1796600000000,
      PaymentReversals1797000000000,
      InvoiceSourceVersion1798700000000,
      ...placementMigrations,
    ],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
