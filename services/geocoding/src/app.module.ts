import { Module, type DynamicModule } from '@nestjs/common';
import { ServicePlatformModule } from '@duemap/http';
import type { Logger } from 'pino';
import type { GeocodingConfig } from './config';
import { dataSourceOptions } from './database/data-source';
import { MapModule } from './map/map.module';
import { MapLiveModule } from './map-live/map-live.module';
import { RoutesModule } from './routes/routes.module';

@Module({})
export class AppModule {
  static register(config: GeocodingConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forService({
          config,
          logger,
          dataSource: dataSourceOptions(config.DATABASE_URL),
        }),
        MapModule,
        MapLiveModule,
        RoutesModule,
      ],
    };
  }
}
