import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CreditEntryEntity, InvoiceBalanceEntity } from '../balances/balance.entity';
import { CustomerEntity, CustomerSourceEntity } from '../customers/customer.entity';
import { CreateCustomers1763900001000 } from './migrations/1763900001000-create-customers';
import { AggregateVersions1796600000000 } from './migrations/1796600000000-aggregate-versions';
import { CustomerProvinceKey1797000000000 } from './migrations/1797000000000-customer-province-key';
import { LocationVerdicts1797800000000 } from './migrations/1797800000000-location-verdicts';
import { PaymentAllocations1798600000000 } from './migrations/1798600000000-payment-allocations';

/** Everything TypeORM knows of the customers database; deploy/local migrates it with createDataSource. */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [
      ...messagingEntities,
      CustomerEntity,
      CustomerSourceEntity,
      InvoiceBalanceEntity,
      CreditEntryEntity,
    ],
    migrations: [
      ...messagingMigrations,
      CreateCustomers1763900001000,
      AggregateVersions1796600000000,
      CustomerProvinceKey1797000000000,
      LocationVerdicts1797800000000,
      PaymentAllocations1798600000000,
    ],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
