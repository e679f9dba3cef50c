import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ServiceAuthGuard } from '@duemap/auth';
import { ServiceConfigModule } from '@duemap/config';
import { limitedPoolOptions, PreparingClient } from '@duemap/database';
import {
  kafkaSecurityFromConfig,
  MessagingModule,
  PipeMonitor,
  type KafkaSecurityValues,
  type MessagingRuntimeOptions,
} from '@duemap/messaging';
import { ObservabilityModule, StatementMetricsLogger } from '@duemap/observability';
import type { Logger } from 'pino';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** The platform values every service's config has (libs/config platformShape). */
export interface PlatformValues extends KafkaSecurityValues {
  SERVICE_NAME: string;
  DATABASE_URL: string;
  KAFKA_BROKERS: readonly string[];
  KAFKA_FETCH_MIN_BYTES: number;
  KAFKA_FETCH_MAX_WAIT_MS: number;
  OUTBOX_LINGER_MS: number;
  INBOX_RETENTION: number;
  INBOX_PURGE_INTERVAL: number;
  DATABASE_STATEMENT_TIMEOUT: number;
  DATABASE_LOCK_TIMEOUT: number;
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: number;
  DATABASE_POOL_ACQUIRE_TIMEOUT: number;
  PIPE_SAMPLE_INTERVAL: number;
  PIPE_OUTBOX_MAX_AGE: number;
  PIPE_LAG_MAX: number;
  PIPE_LAG_MAX_FOR: number;
  PIPE_DLQ_MAX_NEW: number;
  PIPE_DLQ_WINDOW: number;
  IDENTITY_SECRET: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_JWKS_URL: string;
  AUTH_ROLES_CLAIM: string;
  AUTH_TERRITORY_CLAIM: string;
}

export interface ServicePlatformOptions {
  config: PlatformValues;
  logger: Logger;
  /** The service's entities and migrations, messaging's included (src/database/data-source.ts). */
  dataSource: PostgresConnectionOptions;
  /** Relay/consumer tuning; defaults suit a service. */
  messaging?: Pick<MessagingRuntimeOptions, 'relay' | 'consumer' | 'consumerGroup' | 'inboxPurge'>;
}

/**
 * The infrastructure every service has, wired the same way everywhere: its validated config, its
 * own database (TypeORM; migrations run by deploy/local, never `synchronize`), `/health`
 * (readiness, with the pipe monitor's conditions), `/health/live` and `/metrics`, and messaging
 * (outbox relay + one consumer group named after the service, which picks up every
 * `@EventSubscriberProvider()` of the feature modules), and ServiceAuthGuard on every /api route:
 * a caller must bring the gateway's signed identity or a bearer token of AUTH_ISSUER, whatever
 * network it comes from.
 */
@Module({})
export class ServicePlatformModule {
  static forService({ config, logger, dataSource, messaging }: ServicePlatformOptions): DynamicModule {
    return {
      module: ServicePlatformModule,
      providers: [
        {
          provide: APP_GUARD,
          useFactory: () =>
            new ServiceAuthGuard({
              identitySecret: config.IDENTITY_SECRET,
              issuer: config.AUTH_ISSUER,
              audience: config.AUTH_AUDIENCE,
              jwksUrl: config.AUTH_JWKS_URL,
              rolesClaim: config.AUTH_ROLES_CLAIM,
              territoryClaim: config.AUTH_TERRITORY_CLAIM,
            }),
        },
      ],
      imports: [
        ServiceConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSource,
          synchronize: false,
          migrationsRun: false,
          poolSize: 10,
          extra: {
            ...(dataSource.extra as object | undefined),
            // Parameterised statements run prepared: parsed and planned once per connection.
            Client: PreparingClient,
            // Planned for each execution's parameters: a generic plan made while a table was
            // small stays cached as it grows (ADR 0008). No JIT: compiling a short statement with
            // LLVM costs more than it saves. Index pages are in memory: a random page costs about
            // what a sequential one does (the default 4.0 prices a disk seek and picks scans of
            // whole tables over a few hundred index look-ups).
            // Bounded waits (DATABASE_*_TIMEOUT): a lock held elsewhere, a runaway statement, a
            // transaction left open or an exhausted pool fails the statement (or ends the session)
            // instead of stalling the service; its caller (a consumer) retries.
            ...limitedPoolOptions('-c jit=off -c plan_cache_mode=force_custom_plan -c random_page_cost=1.1', {
              statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT,
              lockTimeoutMs: config.DATABASE_LOCK_TIMEOUT,
              idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT,
              acquireTimeoutMs: config.DATABASE_POOL_ACQUIRE_TIMEOUT,
            }),
          },
          // Counts statements for /metrics (duemap_db_statements_total); logs slow ones.
          logger: new StatementMetricsLogger(logger.child({ component: 'database' })),
          maxQueryExecutionTime: 1000,
        }),
        // Readiness also reads the pipe monitor (outbox age, consumer lag, dead letters), which
        // samples in the background; /health/live stays liveness only.
        ObservabilityModule.forService({ logger, database: true, readinessConditions: PipeMonitor }),
        MessagingModule.forRoot({
          serviceName: config.SERVICE_NAME,
          brokers: [...config.KAFKA_BROKERS],
          security: kafkaSecurityFromConfig(config),
          databaseUrl: config.DATABASE_URL,
          logger,
          ...messaging,
          relay:
            messaging?.relay === false
              ? false
              : {
                  lingerMs: config.OUTBOX_LINGER_MS,
                  ...(typeof messaging?.relay === 'object' ? messaging.relay : {}),
                },
          inboxPurge:
            messaging?.inboxPurge === false
              ? false
              : { retentionMs: config.INBOX_RETENTION, intervalMs: config.INBOX_PURGE_INTERVAL },
          monitor: {
            sampleIntervalMs: config.PIPE_SAMPLE_INTERVAL,
            outboxMaxAgeMs: config.PIPE_OUTBOX_MAX_AGE,
            lagMax: config.PIPE_LAG_MAX,
            lagMaxForMs: config.PIPE_LAG_MAX_FOR,
            dlqMaxNew: config.PIPE_DLQ_MAX_NEW,
            dlqWindowMs: config.PIPE_DLQ_WINDOW,
          },
          consumer: {
            minBytes: config.KAFKA_FETCH_MIN_BYTES,
            maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS,
            ...messaging?.consumer,
          },
        }),
      ],
    };
  }
}
