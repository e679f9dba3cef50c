import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ServiceConfigModule } from '@duemap/config';
import { ObservabilityModule } from '@duemap/observability';
import type { Logger } from 'pino';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import type { GatewayConfig } from './config';
import { dataSourceOptions } from './database/data-source';
import { DocsController } from './docs/docs.controller';
import { IdentityModule } from './identity/identity.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceConfigModule.forRoot(config),
        // Migrations are deploy/local's (and the test harness's) job, never the gateway's at boot.
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.DATABASE_URL),
          synchronize: false,
          migrationsRun: false,
          poolSize: 5,
        }),
        ObservabilityModule.forService({ logger, database: true }),
        IdentityModule,
        ApiKeysModule,
        AuditModule.register(config, logger),
      ],
      controllers: [DocsController],
    };
  }
}
