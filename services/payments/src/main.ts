import './instrument';
import { runService } from '@duemap/http';
import { AppModule } from './app.module';
import { paymentsConfig } from './config';

void runService({
  name: 'payments',
  schema: paymentsConfig,
  module: (config, logger) => AppModule.register(config, logger),
  openApi: { title: 'Duemap payments' },
});
