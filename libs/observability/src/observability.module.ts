import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { HEALTH_OPTIONS, HealthController } from './health/health.controller';
import { httpLogSerializers } from './logger';
import { MetricsController } from './metrics/metrics.controller';

export interface ObservabilityModuleOptions {
  logger: Logger;
  /** Ping the TypeORM DataSource on /health. */
  database?: boolean;
}

/** `/health`, `/metrics` and request logging with trace ids, the same in every service. */
@Module({})
export class ObservabilityModule {
  static forService(options: ObservabilityModuleOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        LoggerModule.forRoot({
          pinoHttp: {
            logger: options.logger,
            serializers: httpLogSerializers,
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: { database: options.database ?? false } }],
      exports: [LoggerModule],
    };
  }
}
