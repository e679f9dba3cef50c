import { Client } from 'pg';
import { testEnv, uniqueName } from './test-env';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh, empty database on the test server; each integration spec gets its own. */
export async function createTestDatabase(
  prefix: string,
  serverUrl = testEnv.databaseUrl,
): Promise<TestDatabase> {
  const name = uniqueName(`test_${prefix}`);
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(serverUrl, name),
    async drop() {
      const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * How many outbox rows a service's database has ever been given, as `n` (the outbox id's
 * sequence). The relay deletes the rows it publishes, so `count(*)` cannot tell whether something
 * was written; this can, and it also counts rows of transactions that rolled back, so "nothing
 * written" asserted with it means nothing was even tried.
 */
export const OUTBOX_WRITES_SQL = `SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('outbox', 'id')::regclass), 0) AS n`;
