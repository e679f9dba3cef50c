import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * The gateway's own database (`duemap_gateway`): the local issuer's signing keys and users, API
 * keys and the audit trail. deploy/local migrates it with createDataSource like every service's.
 * Each feature folder adds its entities and migrations here.
 */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: [],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
