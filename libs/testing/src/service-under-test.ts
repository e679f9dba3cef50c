import type { DynamicModule } from '@nestjs/common';
import { loadConfig, type ConfigOf, type ConfigSchema, type EnvSource } from '@duemap/config';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { createTestDatabase, type TestDatabase } from './database';
import { createEventPublisher, type EventPublisher } from './event-publisher';
import { testLogger } from './logger';
import type { PrivateKafka } from './private-kafka';
import { migrate, startTestApp, type TestApp } from './service-app';
import { waitFor } from './test-env';
import { workerKafka } from './worker-kafka';

export interface ServiceUnderTestOptions<S extends ConfigSchema> {
  /** Names the service to loadConfig (SERVICE_NAME, KAFKA_CLIENT_ID) and prefixes the database. */
  service: string;
  schema: S;
  /** Further variables, over DATABASE_URL and KAFKA_BROKERS (which name the private stores). */
  env?: EnvSource;
  /** The service's TypeORM options for a database URL: migrated before the service boots. */
  dataSource: (url: string) => PostgresConnectionOptions;
  module: (config: ConfigOf<S>, logger: Logger) => DynamicModule;
  /** Quiet unless given (see testLogger). */
  logger?: Logger;
  /** Name prefix of the test database; the service name by default. */
  database?: string;
}

/** One service booted in this process on a broker and a database of its own. */
export interface ServiceUnderTest<C> {
  app: TestApp;
  /** http://127.0.0.1:<port> */
  url: string;
  kafka: PrivateKafka;
  db: TestDatabase;
  config: C;
  publisher: EventPublisher;
  /** A connection to the service's database, for assertions and setup SQL. */
  sql: Client;
  /** Resolves once the service's consumers have handled (committed) all these events. */
  handled(...eventIds: string[]): Promise<void>;
  /** Stops everything started, in reverse order. */
  close(): Promise<void>;
}

/**
 * Takes a private Kafka (the Jest worker's, wiped: workerKafka) and a fresh database, migrates it, loads the service's config against
 * them and boots the service's module; also a publisher to play the other services. Whatever was
 * started is stopped again when booting fails half-way.
 */
export async function startServiceUnderTest<S extends ConfigSchema>(
  options: ServiceUnderTestOptions<S>,
): Promise<ServiceUnderTest<ConfigOf<S>>> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const [kafkaStarted, dbCreated] = await Promise.allSettled([
      workerKafka(),
      createTestDatabase(options.database ?? options.service),
    ]);
    if (kafkaStarted.status === 'fulfilled') cleanups.push(() => kafkaStarted.value.stop());
    if (dbCreated.status === 'fulfilled') cleanups.push(() => dbCreated.value.drop());
    if (kafkaStarted.status === 'rejected') throw kafkaStarted.reason;
    if (dbCreated.status === 'rejected') throw dbCreated.reason;
    const kafka = kafkaStarted.value;
    const db = dbCreated.value;
    await migrate(options.dataSource(db.url));
    const config = loadConfig(
      options.schema,
      { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), ...options.env },
      { service: options.service },
    );
    const app = await startTestApp(options.module(config, options.logger ?? testLogger()));
    cleanups.push(() => app.close());
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    cleanups.push(() => sql.end());
    const publisher = await createEventPublisher(kafka.brokers);
    cleanups.push(() => publisher.close());
    return {
      app,
      url: app.url,
      kafka,
      db,
      config,
      publisher,
      sql,
      async handled(...eventIds) {
        await waitFor(`events ${eventIds.join(', ')} to be handled`, async () => {
          const { rows } = await sql.query<{ n: string }>(
            'SELECT count(*) AS n FROM inbox WHERE event_id = ANY($1::uuid[])',
            [eventIds],
          );
          return Number(rows[0]?.n) === eventIds.length ? true : undefined;
        });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
