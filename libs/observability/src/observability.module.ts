import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { HEALTH_OPTIONS, HealthController } from './health/health.controller';
import { READINESS_CONDITIONS } from './health/sampled-conditions.indicator';
import { httpLogSerializers } from './logger';
import { MetricsController } from './metrics/metrics.controller';

export interface ObservabilityModuleOptions {
  logger: Logger;
  /** Ping the TypeORM DataSource on /health. */
  database?: boolean;
  /**
   * A provider (visible here, e.g. exported by a global module) whose `conditions()` /health
   * reports as readiness (ReadinessConditions): the platform passes messaging's PipeMonitor.
   */
  readinessConditions?: InjectionToken;
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
      providers: [
        { provide: HEALTH_OPTIONS, useValue: { database: options.database ?? false } },
        ...(options.readinessConditions === undefined
          ? []
          : [{ provide: READINESS_CONDITIONS, useExisting: options.readinessConditions }]),
      ],
      exports: [LoggerModule],
    };
  }
}
