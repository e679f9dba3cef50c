import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** Everything TypeORM knows of the invoicing database; deploy/local migrates it with createDataSource. */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [...messagingEntities],
    migrations: [...messagingMigrations],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
