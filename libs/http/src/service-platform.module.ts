import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ServiceConfigModule } from '@duemap/config';
import { MessagingModule, type MessagingRuntimeOptions } from '@duemap/messaging';
import { ObservabilityModule, StatementMetricsLogger } from '@duemap/observability';
import type { Logger } from 'pino';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { PreparingClient } from './database/preparing-client';

/** The platform values every service's config has (libs/config platformShape). */
export interface PlatformValues {
  SERVICE_NAME: string;
  DATABASE_URL: string;
  KAFKA_BROKERS: readonly string[];
  KAFKA_FETCH_MIN_BYTES: number;
  KAFKA_FETCH_MAX_WAIT_MS: number;
  OUTBOX_LINGER_MS: number;
}

export interface ServicePlatformOptions {
  config: PlatformValues;
  logger: Logger;
  /** The service's entities and migrations, messaging's included (src/database/data-source.ts). */
  dataSource: PostgresConnectionOptions;
  /** Relay/consumer tuning; defaults suit a service. */
  messaging?: Pick<MessagingRuntimeOptions, 'relay' | 'consumer' | 'consumerGroup'>;
}

/**
 * The infrastructure every service has, wired the same way everywhere: its validated config, its
 * own database (TypeORM; migrations run by deploy/local, never `synchronize`), `/health` and
 * `/metrics`, and messaging (outbox relay + one consumer group named after the service, which
 * picks up every `@EventSubscriberProvider()` of the feature modules).
 */
@Module({})
export class ServicePlatformModule {
  static forService({ config, logger, dataSource, messaging }: ServicePlatformOptions): DynamicModule {
    return {
      module: ServicePlatformModule,
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
            // Short statements only: compiling one with LLVM costs far more than it saves, and a
            // set-based statement over a batch can cross jit_above_cost on a table without statistics.
            options: '-c jit=off -c plan_cache_mode=force_custom_plan',
          },
          // Counts statements for /metrics (duemap_db_statements_total); logs slow ones.
          logger: new StatementMetricsLogger(logger.child({ component: 'database' })),
          maxQueryExecutionTime: 1000,
        }),
        ObservabilityModule.forService({ logger, database: true }),
        MessagingModule.forRoot({
          serviceName: config.SERVICE_NAME,
          brokers: [...config.KAFKA_BROKERS],
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
