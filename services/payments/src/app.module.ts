import { Module, type DynamicModule } from '@nestjs/common';
import { ServicePlatformModule } from '@duemap/http';
import type { Logger } from 'pino';
import { BankFeedModule } from './bank-feed/bank-feed.module';
import { BankStatementsModule } from './bank-statements/bank-statements.module';
import type { PaymentsConfig } from './config';
import { dataSourceOptions } from './database/data-source';
import { PaymentsModule } from './payments/payments.module';

@Module({})
export class AppModule {
  static register(config: PaymentsConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forService({
          config,
          logger,
          dataSource: dataSourceOptions(config.DATABASE_URL),
        }),
        PaymentsModule,
        BankStatementsModule,
        BankFeedModule,
      ],
    };
  }
}
