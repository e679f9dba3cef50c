import { Module, type DynamicModule } from '@nestjs/common';
import { ServicePlatformModule } from '@duemap/http';
import type { Logger } from 'pino';
import type { InvoicingConfig } from './config';
import { CustomersModule } from './customers/customers.module';
import { dataSourceOptions } from './database/data-source';
import { ErpIntakeModule } from './erp-intake/erp-intake.module';
import { InvoicesModule } from './invoices/invoices.module';
import { OverdueModule } from './overdue/overdue.module';
import { PaymentsModule } from './payments/payments.module';

@Module({})
export class AppModule {
  static register(config: InvoicingConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServicePlatformModule.forService({
          config,
          logger,
          dataSource: dataSourceOptions(config.DATABASE_URL),
        }),
        CustomersModule,
        InvoicesModule,
        PaymentsModule,
        OverdueModule,
        ErpIntakeModule,
      ],
    };
  }
}
