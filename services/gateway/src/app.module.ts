import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceConfigModule } from '@duemap/config';
import { ObservabilityModule } from '@duemap/observability';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config';
import { DocsController } from './docs/docs.controller';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceConfigModule.forRoot(config), ObservabilityModule.forService({ logger })],
      controllers: [DocsController],
    };
  }
}
