import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { configureHttp, refuseDeepJson } from '@duemap/http';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

export interface TestApp {
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/**
 * Boots a service's root module in this process on a free port, with the same HTTP conventions
 * as `runService` (error body, validation, 1 MB body limit). Consumers and the outbox relay start
 * with it, against whatever broker and database its config names.
 */
export async function startTestApp(module: DynamicModule): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false, bodyParser: false });
  app.useBodyParser('json', { limit: '1mb', verify: refuseDeepJson() });
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  const url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

/** Runs a service's migrations (its own and messaging's) on a test database. */
export async function migrate(options: PostgresConnectionOptions): Promise<void> {
  const dataSource = new DataSource({ ...options, migrationsTransactionMode: 'each' });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } finally {
    await dataSource.destroy();
  }
}
