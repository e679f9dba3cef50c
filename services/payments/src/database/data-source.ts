import { placementMigrations } from '@duemap/auth';
import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CustomerViewEntity } from '../customers/customer-view.entity';
import { InvoiceViewEntity } from '../invoices/invoice-view.entity';
import { PaymentAllocationEntity, PaymentEntity, PaymentRefundEntity } from '../payments/payment.entity';
import { CreatePayments1763990400000 } from './migrations/1763990400000-create-payments';
import { AggregateVersions1796600000000 } from './migrations/1796600000000-aggregate-versions';
import { BankStatements1798200000000 } from './migrations/1798200000000-bank-statements';
import { CashApplication1798300000000 } from './migrations/1798300000000-cash-application';
import { PaymentLookalikes1798400000000 } from './migrations/1798400000000-payment-lookalikes';
import { AllocationOpenAfter1798600000000 } from './migrations/1798600000000-allocation-open-after';
import { BankFeed1798700000000 } from './migrations/1798700000000-bank-feed';

/** Everything TypeORM knows of the payments database; deploy/local migrates it with createDataSource. */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [
      ...messagingEntities,
      CustomerViewEntity,
      InvoiceViewEntity,
      PaymentEntity,
      PaymentAllocationEntity,
      PaymentRefundEntity,
    ],
    migrations: [
      ...messagingMigrations,
      CreatePayments1763990400000,
      AggregateVersions1796600000000,
      ...placementMigrations,
      BankStatements1798200000000,
      CashApplication1798300000000,
      PaymentLookalikes1798400000000,
      AllocationOpenAfter1798600000000,
      BankFeed1798700000000,
    ],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
