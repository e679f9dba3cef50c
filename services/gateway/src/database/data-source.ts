import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { SigningKeyEntity } from '../identity/signing-key.entity';
import { UserEntity } from '../identity/user.entity';
import { CreateIdentity1797000000000 } from './migrations/1797000000000-create-identity';
import { CreateApiKeys1797000100000 } from './migrations/1797000100000-create-api-keys';
import { CreateAuditLog1797000500000 } from './migrations/1797000500000-create-audit-log';

/**
 * The gateway's own database (`duemap_gateway`): the local issuer's signing keys and users, API
 * keys and the audit trail. deploy/local migrates it with createDataSource like every service's.
 * Each feature folder adds its entities and migrations here.
 */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [SigningKeyEntity, UserEntity, ApiKeyEntity],
    migrations: [CreateIdentity1797000000000, CreateApiKeys1797000100000, CreateAuditLog1797000500000],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
