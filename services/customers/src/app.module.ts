import { Module, type DynamicModule } from '@nestjs/common';
import { ServicePlatformModule } from '@duemap/http';
import type { Logger } from 'pino';
import { BalancesModule } from './balances/balances.module';
import type { CustomersConfig } from './config';
import { CustomersModule } from './customers/customers.module';
import { dataSourceOptions } from './database/data-source';
import { LocationsModule } from './locations/locations.module';
import { PiiModule } from './pii/pii.module';

@Module({})
export class AppModule {
  static register(config: CustomersConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forService({
          config,
          logger,
          dataSource: dataSourceOptions(config.DATABASE_URL),
        }),
        PiiModule,
        CustomersModule,
        BalancesModule,
        LocationsModule,
      ],
    };
  }
}
