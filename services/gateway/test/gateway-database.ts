import { createTestDatabase, migrate, type TestDatabase } from '@duemap/testing';
import { dataSourceOptions } from '../src/database/data-source';

/** A fresh `duemap_gateway`-shaped database with every gateway migration applied. */
export async function createGatewayDatabase(prefix = 'gateway'): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  try {
    await migrate(dataSourceOptions(db.url));
  } catch (err) {
    await db.drop();
    throw err;
  }
  return db;
}
