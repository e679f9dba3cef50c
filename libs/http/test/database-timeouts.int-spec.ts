import { platformConfig, type ConfigOf } from '@duemap/config';
import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { startServiceUnderTest, waitFor, type ServiceUnderTest } from '@duemap/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DynamicModule } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ServicePlatformModule } from '../src';

const dataSource = (url: string): PostgresConnectionOptions => ({
  type: 'postgres',
  url,
  entities: messagingEntities,
  migrations: messagingMigrations,
});

/**
 * What a statement does when it cannot finish: each must end with an error within its bound, so
 * a lock held elsewhere, a runaway query or a forgotten transaction cannot stall a service.
 */
describe('service connections: statement, lock, idle-in-transaction and pool acquire timeouts', () => {
  let service: ServiceUnderTest<ConfigOf<typeof platformConfig>>;
  let ds: DataSource;

  /** How long the spec lets a bounded wait take before it calls it unbounded. */
  const within = <T>(promise: Promise<T>, ms = 5000): Promise<T | 'still waiting'> =>
    Promise.race([
      promise,
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms)),
    ]);

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'timeouts-spec',
      database: 'timeouts',
      schema: platformConfig,
      env: {
        DATABASE_STATEMENT_TIMEOUT: '500ms',
        DATABASE_LOCK_TIMEOUT: '300ms',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: '500ms',
        DATABASE_POOL_ACQUIRE_TIMEOUT: '300ms',
      },
      dataSource,
      module: (config, logger): DynamicModule => ({
        module: class RootModule {},
        imports: [
          ServicePlatformModule.forService({
            config,
            logger,
            dataSource: dataSource(config.DATABASE_URL),
            messaging: { relay: false, inboxPurge: false },
          }),
        ],
      }),
    });
    ds = service.app.app.get<DataSource>(getDataSourceToken());
    await service.sql.query(`CREATE TABLE locked_things (id int PRIMARY KEY, n int NOT NULL)`);
    await service.sql.query(`INSERT INTO locked_things VALUES (1, 0)`);
  });

  afterAll(async () => {
    await service?.close();
  });

  it('fails a statement that waits for a lock held by another connection (lock_timeout, 55P03)', async () => {
    await service.sql.query('BEGIN');
    try {
      await service.sql.query(`SELECT 1 FROM locked_things WHERE id = 1 FOR UPDATE`);
      const outcome = await within(
        ds.query(`UPDATE locked_things SET n = n + 1 WHERE id = $1`, [1]).then(
          () => 'updated',
          (err: { code?: string; driverError?: { code?: string } }) => err.driverError?.code ?? err.code,
        ),
      );
      expect(outcome).toBe('55P03');
    } finally {
      await service.sql.query('ROLLBACK');
    }
  });

  it('cancels a statement that runs past statement_timeout (57014)', async () => {
    const outcome = await within(
      ds.query(`SELECT pg_sleep($1)`, [30]).then(
        () => 'finished',
        (err: { code?: string; driverError?: { code?: string } }) => err.driverError?.code ?? err.code,
      ),
    );
    expect(outcome).toBe('57014');
  });

  it('terminates a session left idle inside a transaction', async () => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    const [{ pid }] = (await runner.query(`SELECT pg_backend_pid() AS pid`)) as [{ pid: number }];
    try {
      await waitFor('the idle transaction to be terminated', async () => {
        const { rows } = await service.sql.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [pid]);
        return rows.length === 0 ? true : undefined;
      });
      await expect(runner.query('SELECT 1')).rejects.toThrow();
    } finally {
      await runner.release().catch(() => undefined);
    }
  });

  it('gives up acquiring a connection when the pool stays exhausted', async () => {
    const held: QueryRunner[] = [];
    try {
      // Every connection of the pool (poolSize 10) taken and kept.
      for (let i = 0; i < 10; i += 1) {
        const runner = ds.createQueryRunner();
        await runner.connect();
        held.push(runner);
      }
      const outcome = await within(
        ds.query('SELECT 1').then(
          () => 'acquired',
          (err: Error) => err.message,
        ),
      );
      expect(outcome).toMatch(/timeout/i);
    } finally {
      for (const runner of held) await runner.release();
    }
  });
});
